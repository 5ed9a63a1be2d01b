// The oldest Ollama this backend accepts. 0.1.18 is the first release whose /api/show reads the `model` field the
// official client sends (checked in ollama/ollama api/types.go at tags v0.1.17 and v0.1.18); /api/tags `details`
// and /api/version are older than that. Older servers would answer /api/show (the verify fallback) with "model is
// required", which reads like a missing model rather than an old server.
export const MIN_OLLAMA_VERSION = '0.1.18';

/** Numeric compare of dotted versions; pre-release suffixes (`0.5.0-rc1`) count as their release. */
export function versionAtLeast(found: string, min: string): boolean {
  const nums = (v: string): number[] =>
    v
      .replace(/^v/, '')
      .split(/[-+]/)[0]!
      .split('.')
      .map((x) => Number.parseInt(x, 10) || 0);
  const a = nums(found);
  const b = nums(min);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}
