// Logs and job records never hold secrets. What a secret looks like here: a URL's user:password, a query value
// whose name says token/key/secret/password/signature, an Authorization header, a Hugging Face / GitHub token.
// Redaction is applied to every log line and to every stored parameter, on the way to disk.

const SECRET_NAME = /(token|secret|password|passwd|api[-_]?key|auth|signature|sig|credential)/i;
const MASK = '***';

export function redactText(text: string): string {
  return (
    text
      // scheme://user:pass@host -> scheme://***@host
      .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(:[^/\s@]*)?@/gi, `$1${MASK}@`)
      // ?token=abc&x=1 -> ?token=***&x=1
      .replace(/([?&])([^=&\s#]+)=([^&\s#]*)/g, (m, sep: string, name: string) =>
        SECRET_NAME.test(name) ? `${sep}${name}=${MASK}` : m,
      )
      .replace(/(authorization\s*[:=]\s*)(bearer\s+|basic\s+|token\s+)?\S+/gi, `$1$2${MASK}`)
      .replace(/\b(hf_|ghp_|gho_|github_pat_|sk-)[A-Za-z0-9_-]{8,}/g, `$1${MASK}`)
  );
}

/** A deep copy of value with secret-named fields masked and every string redacted. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_NAME.test(k) && typeof v === 'string' ? MASK : redactValue(v, depth + 1);
  }
  return out;
}
