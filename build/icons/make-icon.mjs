// Draws the app icon (512x512 PNG) without any image tool: a dark ceramic disc mended with gold seams,
// anti-aliased by 4x4 supersampling, encoded with node:zlib. Run: node build/icons/make-icon.mjs
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = 512;
const here = dirname(fileURLToPath(import.meta.url));
// Gold seams as polylines in unit coordinates (disc centre 0.5, 0.5; radius 0.42).
const seams = [
  [
    [0.2, 0.22],
    [0.36, 0.38],
    [0.42, 0.36],
    [0.55, 0.52],
    [0.6, 0.5],
    [0.8, 0.74],
  ],
  [
    [0.55, 0.52],
    [0.5, 0.7],
    [0.56, 0.92],
  ],
  [
    [0.42, 0.36],
    [0.46, 0.12],
  ],
];
const distToSeg = (px, py, [ax, ay], [bx, by]) => {
  const dx = bx - ax,
    dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
};
const sample = (x, y) => {
  const r = Math.hypot(x - 0.5, y - 0.5);
  if (r > 0.42) return null;
  let d = Infinity;
  for (const s of seams)
    for (let i = 0; i < s.length - 1; i++) d = Math.min(d, distToSeg(x, y, s[i], s[i + 1]));
  if (d < 0.014 || (r > 0.405 && r <= 0.42)) return [222, 176, 70]; // gold seam and rim
  const shade = 1 - r * 0.9; // soft light from the centre
  return [Math.round(40 * shade + 14), Math.round(52 * shade + 16), Math.round(70 * shade + 22)];
};
const raw = Buffer.alloc((N * 4 + 1) * N);
const S = 4;
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0;
  for (let x = 0; x < N; x++) {
    let r = 0,
      g = 0,
      b = 0,
      a = 0;
    for (let sy = 0; sy < S; sy++)
      for (let sx = 0; sx < S; sx++) {
        const c = sample((x + (sx + 0.5) / S) / N, (y + (sy + 0.5) / S) / N);
        if (c) {
          r += c[0];
          g += c[1];
          b += c[2];
          a++;
        }
      }
    const o = y * (N * 4 + 1) + 1 + x * 4;
    raw[o] = a ? r / a : 0;
    raw[o + 1] = a ? g / a : 0;
    raw[o + 2] = a ? b / a : 0;
    raw[o + 3] = (a / (S * S)) * 255;
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8;
ihdr[9] = 6;
ihdr[10] = 0;
ihdr[11] = 0;
ihdr[12] = 0;
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(join(here, 'icon.png'), png);
writeFileSync(join(here, '512x512.png'), png);
console.log(`wrote ${png.length} bytes`);
