import { describe, expect, it } from 'vitest';
import { badgeBitmap, badgeText, TRAY_ICON_SIZE } from '../../src/main/tray-badge-image';

// The count drawn on the tray icon, on plain pixel buffers (BGRA).

const S = TRAY_ICON_SIZE;
const base = Buffer.alloc(S * S * 4, 0x40);
const pixel = (b: Buffer, x: number, y: number) => [...b.subarray((y * S + x) * 4, (y * S + x) * 4 + 4)];
const RED = [0x20, 0x20, 0xd0, 255];
const WHITE = [0xff, 0xff, 0xff, 255];

describe('tray badge image', () => {
  it('leaves the icon as it is for 0', () => {
    expect(badgeBitmap(base, S, 0)).toEqual(base);
    expect(badgeBitmap(undefined, S, 0)).toEqual(Buffer.alloc(S * S * 4));
  });

  it('draws a red disc with white digits in the bottom-right corner, the rest untouched', () => {
    const img = badgeBitmap(base, S, 3);
    expect(pixel(img, 0, 0)).toEqual([0x40, 0x40, 0x40, 0x40]);
    const r = Math.round(S * 0.3);
    const c = S - r - 1;
    // The disc's edge is red, its middle holds white glyph pixels.
    expect(pixel(img, c, c - r)).toEqual(RED);
    let white = 0;
    for (let y = c - r; y <= c + r; y++)
      for (let x = c - r; x <= c + r; x++) if (pixel(img, x, y)[0] === 0xff) white++;
    expect(white).toBeGreaterThan(5);
    expect(pixel(img, c, c)).toEqual(WHITE); // the middle bar of a 3
  });

  it('draws different counts differently, and "9+" above nine', () => {
    // Mutation caught: drawing a fixed mark whatever the count.
    expect(badgeBitmap(base, S, 1)).not.toEqual(badgeBitmap(base, S, 7));
    expect(badgeText(12)).toBe('9+');
    expect(badgeText(9)).toBe('9');
    expect(badgeBitmap(base, S, 12)).toEqual(badgeBitmap(base, S, 40));
    expect(badgeBitmap(base, S, 12)).not.toEqual(badgeBitmap(base, S, 9));
  });

  it('never writes outside the buffer, even on a tiny icon', () => {
    const tiny = badgeBitmap(undefined, 8, 5);
    expect(tiny.length).toBe(8 * 8 * 4);
  });
});
