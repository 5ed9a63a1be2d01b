import { KintsugiError } from '../../../shared/errors';

// Where a Hugging Face file is fetched from, the way huggingface_hub does it: `{HF_ENDPOINT}/{repo}/resolve/
// {revision}/{file}`, HF_ENDPOINT defaulting to https://huggingface.co, HF_TOKEN sent as a bearer token to that
// endpoint's origin only (never to the CDN a redirect leads to, never stored, never logged).

export function hfEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env['HF_ENDPOINT'] || 'https://huggingface.co';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new KintsugiError('INVALID_ARGUMENT', `HF_ENDPOINT=${JSON.stringify(raw)} is not a URL`, {
      hint: 'Set HF_ENDPOINT to an http(s) URL such as https://huggingface.co, or unset it.',
    });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new KintsugiError('INVALID_ARGUMENT', `HF_ENDPOINT must be http(s), not ${u.protocol}`, {
      hint: 'Set HF_ENDPOINT to an http(s) URL such as https://huggingface.co, or unset it.',
    });
  return raw.replace(/\/+$/, '');
}

export function hfResolveUrl(
  entry: { repo: string; revision?: string; file: string },
  env: NodeJS.ProcessEnv = process.env,
): string {
  // repo, revision and file passed the manifest's whitelist patterns; encoding is belt and braces.
  const [owner, name] = entry.repo.split('/') as [string, string];
  return `${hfEndpoint(env)}/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/resolve/${encodeURIComponent(entry.revision ?? 'main')}/${encodeURIComponent(entry.file)}`;
}

/** Headers for a request to `url`: the token only when it goes to the endpoint's own origin. */
export function authHeaderFor(url: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const token = env['HF_TOKEN'];
  if (!token) return {};
  return new URL(url).origin === new URL(hfEndpoint(env)).origin ? { authorization: `Bearer ${token}` } : {};
}
