// `ostree show --print-metadata-key=KEY` prints the value in GVariant text format: a string comes out quoted,
// 'like this', or "like this" when it holds a single quote, with backslash escapes (glib's g_variant_print).
// Versions are strings; anything that is not a string literal is returned as printed.

export function parseGVariantString(printed: string): string {
  const t = printed.trim();
  const q = t[0];
  if ((q !== "'" && q !== '"') || t.at(-1) !== q || t.length < 2) return t;
  let out = '';
  for (let i = 1; i < t.length - 1; i++) {
    const c = t[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = t[++i];
    if (n === 'n') out += '\n';
    else if (n === 't') out += '\t';
    else if (n === 'u' || n === 'U') {
      const len = n === 'u' ? 4 : 8;
      out += String.fromCodePoint(parseInt(t.slice(i + 1, i + 1 + len), 16));
      i += len;
    } else out += n ?? '';
  }
  return out;
}
