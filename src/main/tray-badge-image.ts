// The count drawn on the tray icon, as raw pixels: no native dependency, no image library. Pure (tested on plain
// buffers); tray.ts turns the result into a nativeImage with createFromBitmap. Pixels are BGRA, 4 bytes each,
// row by row, as Electron's toBitmap gives them and createFromBitmap takes them.

export const TRAY_ICON_SIZE = 32;

// 3x5 digits, one string per row, '#' lit.
const GLYPHS: Record<string, string[]> = {
  '0': ['###', '#.#', '#.#', '#.#', '###'],
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['###', '..#', '###', '#..', '###'],
  '3': ['###', '..#', '###', '..#', '###'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '###', '..#', '###'],
  '6': ['###', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '###'],
  '+': ['...', '.#.', '###', '.#.', '...'],
};

/** What the badge says: the count, "9+" above nine (two glyphs is what fits a 32 px icon's corner). */
export function badgeText(count: number): string {
  return count > 9 ? '9+' : String(Math.max(0, Math.floor(count)));
}

/**
 * The icon with the count in a red disc at its bottom-right corner. `base` is the icon's own pixels (size x size
 * BGRA) or undefined (a transparent square). A count of 0 gives the icon unchanged: no badge is a true badge.
 */
export function badgeBitmap(base: Uint8Array | undefined, size: number, count: number): Buffer {
  const px = Buffer.alloc(size * size * 4);
  if (base && base.length === px.length) px.set(base);
  if (count <= 0) return px;
  const set = (x: number, y: number, b: number, g: number, r: number) => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    const i = (y * size + x) * 4;
    px[i] = b;
    px[i + 1] = g;
    px[i + 2] = r;
    px[i + 3] = 255;
  };
  const radius = Math.round(size * 0.3);
  const cx = size - radius - 1;
  const cy = size - radius - 1;
  for (let y = cy - radius; y <= cy + radius; y++)
    for (let x = cx - radius; x <= cx + radius; x++)
      if ((x - cx) ** 2 + (y - cy) ** 2 <= radius * radius) set(x, y, 0x20, 0x20, 0xd0);
  const text = badgeText(count);
  const scale = size >= 32 ? 2 : 1;
  const glyphW = 3 * scale;
  const gap = scale;
  const width = text.length * glyphW + (text.length - 1) * gap;
  const x0 = cx - Math.floor(width / 2);
  const y0 = cy - Math.floor((5 * scale) / 2);
  [...text].forEach((ch, k) => {
    const rows = GLYPHS[ch]!;
    rows.forEach((row, gy) =>
      [...row].forEach((cell, gx) => {
        if (cell !== '#') return;
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++)
            set(x0 + k * (glyphW + gap) + gx * scale + dx, y0 + gy * scale + dy, 0xff, 0xff, 0xff);
      }),
    );
  });
  return px;
}
