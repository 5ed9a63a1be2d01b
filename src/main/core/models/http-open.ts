import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KintsugiError } from '../../../shared/errors';
import { authHeaderFor } from './hf-url';

// One GET with redirects followed by hand (at most 10), so the X-Linked-Size / X-Linked-Etag headers Hugging Face
// puts on its redirect to the CDN are seen, and the token goes to the endpoint's origin only.

export interface Opened {
  res: IncomingMessage;
  /** X-Linked-* seen on any hop (the first answer carries them on HF). */
  linkedSize?: number;
  linkedEtag?: string;
  finalUrl: string;
  destroy(err?: Error): void;
}

const clean = (etag: string | undefined) => etag?.replace(/^W\//, '').replace(/^"|"$/g, '');

export async function openGet(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Opened> {
  let current = url;
  let linkedSize: number | undefined;
  let linkedEtag: string | undefined;
  for (let hop = 0; hop <= 10; hop++) {
    const u = new URL(current);
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new KintsugiError('MODEL_DOWNLOAD_FAILED', `refusing a redirect to ${u.protocol} (${u.host})`);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
        u,
        { headers: { 'user-agent': 'kintsugi-updater', ...headers, ...authHeaderFor(current, env) }, signal },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    const ls = res.headers['x-linked-size'];
    if (typeof ls === 'string' && /^\d+$/.test(ls)) linkedSize = Number(ls);
    const le = res.headers['x-linked-etag'];
    if (typeof le === 'string') linkedEtag = clean(le);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      current = new URL(res.headers.location, current).toString();
      continue;
    }
    return { res, linkedSize, linkedEtag, finalUrl: current, destroy: (e) => res.destroy(e) };
  }
  throw new KintsugiError('MODEL_DOWNLOAD_FAILED', `more than 10 redirects from ${url}`);
}

export const etagOf = (res: IncomingMessage): string | undefined =>
  clean(typeof res.headers.etag === 'string' ? res.headers.etag : undefined);
