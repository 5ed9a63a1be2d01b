#!/usr/bin/env node
// Models pull benchmark (`npm run bench:models`, which builds first). Generates a 1 GiB GGUF file (a real header,
// then pseudo-random bytes), serves it from a Hugging Face-shaped server on 127.0.0.1 (302 from /resolve/ with
// X-Linked-Size / X-Linked-Etag, then Range / If-Range / ETag from /cdn/), and runs in interleaved rounds (each
// tool once per round, so a busy moment hits both):
//   1. `kintsugi-models pull bench --json` (sha256 on: the manifest names it) under /usr/bin/time -f %M
//   2. `curl -sSL -o FILE URL` of the same URL
// then a pull SIGKILLed at 50 % (the server holds the connection after half the bytes; the process is killed once
// the .incomplete has them) and resumed by a new process, counting the body bytes the server sent in all.
// Also prints the CPU time (user + sys) of both (the wall-time ratio is only meaningful on an otherwise idle
// machine) and how many bytes the resume re-read from disk to carry the sha256 (the state thread lags, see
// src/main/core/models/sha256-behind.ts).
// Prints medians and checks the targets: throughput >= 0.9 x curl, bytes fetched again after the cut <= 1 % of
// the file, the pulling process's peak RSS <= 150 MiB.
// Env: BENCH_ROUNDS (default 3), BENCH_MIB (default 1024), KEEP=1 keeps bench/.work/models, BENCH_NODE_ARGS.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Buffer } from 'node:buffer';
import { setTimeout } from 'node:timers';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', '.work', 'models');
const bin = join(root, 'bin', 'kintsugi-models.js');
const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_MIB ?? 1024) * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const log = (m) => process.stderr.write(`${m}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- the GGUF file ----
const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const str = (s) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);

async function buildGguf(path) {
  const head = Buffer.concat([
    Buffer.from('GGUF'),
    u32(3),
    u64(1),
    u64(2),
    str('general.architecture'),
    u32(8),
    str('llama'),
    str('general.file_type'),
    u32(4),
    u32(15),
    str('t0.weight'),
    u32(2),
    u64(4096),
    u64(4096),
    u32(12),
    u64(0),
  ]);
  const hash = createHash('sha256');
  const fh = await open(path, 'w');
  const block = randomBytes(4 * MiB);
  let pos = 0;
  await fh.write(head, 0, head.length, 0);
  hash.update(head);
  pos = head.length;
  while (pos < SIZE) {
    const n = Math.min(block.length, SIZE - pos);
    block.writeUInt32LE(pos >>> 0, 0);
    await fh.write(block, 0, n, pos);
    hash.update(block.subarray(0, n));
    pos += n;
  }
  await fh.close();
  return hash.digest('hex');
}

// ---- the server ----
function startServer(file, sha) {
  const state = { bodyBytes: 0, holdAfter: Infinity, held: [] };
  const server = createServer((req, res) => {
    if (req.url === '/org/bench/resolve/main/bench.gguf') {
      res
        .writeHead(302, {
          location: '/cdn/bench.gguf',
          'x-linked-size': String(SIZE),
          'x-linked-etag': `"${sha}"`,
        })
        .end();
      return;
    }
    if (req.url !== '/cdn/bench.gguf') return void res.writeHead(404).end();
    const etag = `"${sha}"`;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m && (req.headers['if-range'] ?? etag) === etag ? Number(m[1]) : 0;
    res.writeHead(start ? 206 : 200, {
      'content-length': String(SIZE - start),
      etag,
      'accept-ranges': 'bytes',
      ...(start ? { 'content-range': `bytes ${start}-${SIZE - 1}/${SIZE}` } : {}),
    });
    const limit = state.holdAfter;
    state.holdAfter = Infinity;
    let sent = 0;
    const rs = createReadStream(file, { start, highWaterMark: 1 * MiB });
    rs.on('data', (chunk) => {
      const part =
        sent + chunk.length > limit - start ? chunk.subarray(0, Math.max(0, limit - start - sent)) : chunk;
      sent += part.length;
      state.bodyBytes += part.length;
      if (!res.write(part)) {
        rs.pause();
        res.once('drain', () => rs.resume());
      }
      if (part.length < chunk.length) {
        rs.destroy();
        state.held.push(res);
      } // hold: connection open, no bytes
    });
    rs.on('end', () => res.end());
    res.on('close', () => rs.destroy());
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({ server, state, base: `http://127.0.0.1:${server.address().port}` }),
    ),
  );
}

// ---- the runs ----
async function timed(cmd, args, env) {
  const t0 = performance.now();
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], {
    env: { ...process.env, ...env },
    maxBuffer: 64 * MiB,
  });
  const ms = performance.now() - t0;
  const [rssKiB, user, sys] = stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { ms, rssKiB, cpu: user + sys, stdout };
}

async function main() {
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const file = join(work, 'served.gguf');
  log(`Generating a ${SIZE / MiB} MiB GGUF file...`);
  const sha = await buildGguf(file);
  const { server, state, base } = await startServer(file, sha);
  const data = join(work, 'data');
  const dest = join(data, 'models', 'user', 'bench.gguf');
  await mkdir(dirname(dest), { recursive: true });
  await writeFile(
    join(data, 'models', 'user', 'models.yaml'),
    `models:\n  - slug: bench\n    source: huggingface\n    repo: org/bench\n    file: bench.gguf\n    size: ${SIZE}\n    sha256: ${sha}\n    status: recommended\n`,
  );
  const env = { HF_ENDPOINT: base, XDG_STATE_HOME: join(work, 'state') };
  // BENCH_NODE_ARGS: node flags for the pulling process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const pullArgs = [...nodeArgs, bin, 'pull', 'bench', '--json', '--data-root', data];
  const ours = [];
  const curls = [];
  const rss = [];
  const oursCpu = [];
  const curlCpu = [];
  for (let r = 1; r <= ROUNDS; r++) {
    await rm(dest, { force: true });
    const a = await timed(process.execPath, pullArgs, env);
    const res = JSON.parse(a.stdout.trim().split('\n').at(-1));
    if (!res.result || res.result.sha256 !== sha) throw new Error(`pull failed: ${a.stdout}`);
    ours.push(a.ms);
    oursCpu.push(a.cpu);
    rss.push(a.rssKiB);
    await rm(dest, { force: true });
    const curlOut = join(work, 'curl.gguf');
    const c = await timed('curl', ['-sSL', '-o', curlOut, `${base}/org/bench/resolve/main/bench.gguf`], {});
    if ((await stat(curlOut)).size !== SIZE) throw new Error('curl fetched the wrong size');
    await rm(curlOut, { force: true });
    curls.push(c.ms);
    curlCpu.push(c.cpu);
    log(
      `round ${r}: kintsugi ${(a.ms / 1000).toFixed(2)} s (peak RSS ${(a.rssKiB / 1024).toFixed(0)} MiB), curl ${(c.ms / 1000).toFixed(2)} s`,
    );
  }

  // Cut at 50 %: SIGKILL once the partial holds half the file, then a new process resumes.
  await rm(dest, { force: true });
  state.bodyBytes = 0;
  // Not on a checkpoint boundary (every 8 MiB): the bytes past the last one are what a kill costs.
  state.holdAfter = SIZE / 2 + 5 * MiB + 12345;
  const child = spawn(process.execPath, pullArgs, { env: { ...process.env, ...env }, stdio: 'ignore' });
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const have = await stat(`${dest}.incomplete`).then(
      (s) => s.size,
      () => 0,
    );
    if (have >= SIZE / 2 + 4 * MiB) {
      await new Promise((r) => setTimeout(r, 300));
      break;
    }
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  for (const h of state.held) h.destroy();
  const partial = (await stat(`${dest}.incomplete`)).size;
  // Where the killed process's record put the savable sha256 state: the resume re-reads the bytes after it.
  const record = JSON.parse(await readFile(`${dest}.incomplete.json`, 'utf8'));
  const reread = record.bytes - (record.hashedBytes ?? record.bytes);
  const resumed = await timed(process.execPath, pullArgs, env);
  const rr = JSON.parse(resumed.stdout.trim().split('\n').at(-1));
  if (!rr.result || rr.result.sha256 !== sha) throw new Error(`resume failed: ${resumed.stdout}`);
  const again = state.bodyBytes - SIZE;
  server.closeAllConnections();
  server.close();

  const mbps = (ms) => SIZE / MiB / (ms / 1000);
  const ratio = median(curls) / median(ours);
  const peak = Math.max(...rss, resumed.rssKiB) / 1024;
  const lines = [
    `kintsugi pull (sha256 on): median ${(median(ours) / 1000).toFixed(2)} s = ${mbps(median(ours)).toFixed(0)} MiB/s`,
    `curl -o:                   median ${(median(curls) / 1000).toFixed(2)} s = ${mbps(median(curls)).toFixed(0)} MiB/s`,
    `CPU time (user + sys, all threads): kintsugi median ${median(oursCpu).toFixed(2)} s, curl ${median(curlCpu).toFixed(2)} s (load-independent; the wall-time ratio needs an idle machine)`,
    `throughput ratio ${ratio.toFixed(2)} x curl (target >= 0.90): ${ratio >= 0.9 ? 'MET' : 'MISSED'}`,
    `cut at 50 %: partial ${(partial / MiB).toFixed(1)} MiB, resumed at ${(rr.result.resumedFrom / MiB).toFixed(1)} MiB; fetched again ${(again / MiB).toFixed(2)} MiB = ${((again / SIZE) * 100).toFixed(2)} % (target <= 1 %): ${again / SIZE <= 0.01 ? 'MET' : 'MISSED'}; re-read from disk to carry the sha256: ${(reread / MiB).toFixed(1)} MiB`,
    `peak RSS of the pulling process ${peak.toFixed(0)} MiB (target <= 150): ${peak <= 150 ? 'MET' : 'MISSED'}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (!process.env.KEEP) await rm(work, { recursive: true, force: true });
}

main().catch((err) => {
  log(err.stack ?? String(err));
  process.exit(1);
});
