#!/usr/bin/env node
// How far the savable sha256 state (src/main/core/models/sha256-behind.ts) keeps up at real network speeds, which
// the loopback bench (bench/models.mjs) cannot show: a server paced at RATES MB/s serves a 256 MiB GGUF-headed
// file, the built `kintsugi-models pull` is SIGKILLed at 60 %, and the record's counts and states are printed with
// what the resume then re-read from disk (the gap between the state and the kept bytes). Build first
// (`npm run build`). Env: PACE_RATES (default "20 40 100", MB/s), PACE_MIB (default 256).
import { Buffer } from 'node:buffer';
import { spawn, execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { promisify } from 'node:util';
import { MiB, root } from './lib.mjs';

const bin = join(root, 'bin', 'kintsugi-models.js');
const work = join(root, 'bench', '.work', 'models-pace');
const SIZE = Number(process.env.PACE_MIB ?? 256) * MiB;
const RATES = (process.env.PACE_RATES ?? '20 40 100').split(' ').filter(Boolean).map(Number);
const mib = (n) => `${((n ?? 0) / MiB).toFixed(1)} MiB`;

const head = Buffer.alloc(64);
head.write('GGUF');
head.writeUInt32LE(3, 4);
const body = Buffer.concat([head, randomBytes(SIZE - head.length)]);
const sha = createHash('sha256').update(body).digest('hex');
/** Bytes per second the server sends at (the pulls' first attempts); 0: as fast as it can (the resumes). */
let rate = 0;
const server = createServer(async (req, res) => {
  if (req.url.includes('/resolve/'))
    return void res
      .writeHead(302, { location: '/cdn/p.gguf', 'x-linked-size': SIZE, 'x-linked-etag': `"${sha}"` })
      .end();
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = m ? Number(m[1]) : 0;
  res.writeHead(start ? 206 : 200, {
    'content-length': SIZE - start,
    etag: `"${sha}"`,
    ...(start ? { 'content-range': `bytes ${start}-${SIZE - 1}/${SIZE}` } : {}),
  });
  const piece = 256 * 1024;
  const t0 = performance.now();
  for (let p = start; p < SIZE && !res.destroyed; p += piece) {
    if (!res.write(body.subarray(p, Math.min(SIZE, p + piece))))
      await new Promise((r) => res.once('drain', r));
    const due = rate ? ((p - start + piece) / rate) * 1000 - (performance.now() - t0) : 0;
    if (due > 0) await new Promise((r) => setTimeout(r, due));
  }
  res.end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const env = { ...process.env, HF_ENDPOINT: `http://127.0.0.1:${server.address().port}` };
const data = join(work, 'data');
const dest = join(data, 'models', 'user', 'p.gguf');
const args = [bin, 'pull', 'p', '--json', '--data-root', data, '--state-dir', join(work, 'state')];
const load = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');

for (const mbps of RATES) {
  await rm(work, { recursive: true, force: true });
  await mkdir(dirname(dest), { recursive: true });
  await writeFile(
    join(data, 'models', 'user', 'models.yaml'),
    `models:\n  - slug: p\n    source: huggingface\n    repo: o/p\n    file: p.gguf\n    size: ${SIZE}\n    sha256: ${sha}\n`,
  );
  rate = mbps * 1e6;
  const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const have = await stat(`${dest}.incomplete`).then(
      (s) => s.size,
      () => 0,
    );
    if (have >= SIZE * 0.6) break;
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const rec = JSON.parse(await readFile(`${dest}.incomplete.json`, 'utf8'));
  rate = 0;
  const { stdout } = await promisify(execFile)(process.execPath, args, { env, maxBuffer: 64 * MiB });
  const r = JSON.parse(stdout.trim().split('\n').at(-1)).result;
  if (r?.sha256 !== sha) throw new Error(`the resume failed: ${stdout}`);
  process.stdout.write(
    `${mbps} MB/s (load ${await load()}): killed with ${mib(rec.bytes)} written (state at ${mib(rec.hashed?.bytes)}), ` +
      `${mib(rec.durableBytes)} fsynced (state at ${mib(rec.durableHashed?.bytes)}); the resume re-read ${mib(r.reread)}\n`,
  );
}
server.closeAllConnections();
server.close();
if (!process.env.KEEP) await rm(work, { recursive: true, force: true });
