#!/usr/bin/env node
// The floor of a safe hashed download in node on this machine, for bench/models.mjs: one GET (redirects followed),
// the body through node's sha256 and into a file, then fsync (a file renamed into place must be on disk first);
// nothing else (no resume record, no checks, no progress, no app start-up). Prints the sha256.
// Usage: node bench/models-floor.mjs URL OUT
import { createHash } from 'node:crypto';
import { createWriteStream, fsyncSync, openSync, closeSync } from 'node:fs';
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';

const [url, out] = process.argv.slice(2);
const get = (u) => new Promise((ok, ko) => request(u, ok).on('error', ko).end());
let res = await get(url);
for (let hop = 0; res.statusCode >= 300 && res.statusCode < 400 && hop < 10; hop++) {
  res.resume();
  res = await get(new URL(res.headers.location, url));
}
if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
const hash = createHash('sha256');
res.on('data', (chunk) => hash.update(chunk));
await pipeline(res, createWriteStream(out));
const fd = openSync(out, 'r');
fsyncSync(fd);
closeSync(fd);
process.stdout.write(`${hash.digest('hex')}\n`);
