#!/usr/bin/env node
// Models pull benchmark (`npm run bench:models`, which builds first). Generates a 1 GiB GGUF file (a real header,
// then pseudo-random bytes), serves it from a Hugging Face-shaped server on 127.0.0.1 (302 from /resolve/ with
// X-Linked-Size / X-Linked-Etag, then Range / If-Range / ETag from /cdn/), and runs in interleaved rounds (each
// tool once per round, so a busy moment hits all of them):
//   1. `kintsugi-models pull bench --json` (sha256 on: the manifest names it) under /usr/bin/time -f %M
//   2. `curl -sSL -o FILE URL` of the same URL (the target's baseline: it neither hashes nor fsyncs)
//   3. the floor of node itself: bench/models-floor.mjs, a bare GET + node's sha256 + a write stream + fsync
//   4. `curl -sSL -o FILE URL && sync FILE`: what durability alone costs curl (the pull must fsync before its
//      rename: a file in place is on disk)
//   5. `curl -sSL -o FILE URL && openssl dgst -sha256 FILE && sync FILE`: the pull's whole job (fetch, check,
//      flush) done by the standard tools one after the other (openssl: SHA-NI, as node's crypto; coreutils'
//      sha256sum is 3.5x slower here)
// then a pull SIGKILLed at 50 % and resumed by a new process, counting the body bytes the server sent in all. Past
// half the file the server slows to a trickle (64 KiB every 10 ms), so the kill lands while bytes still flow, at a
// moment that is not a record's (the bytes since the last record, and the batches in memory, are what a kill
// costs), with the kernel's socket buffers nearly empty (a loopback at full speed holds megabytes in them, the
// same for any client).
// Also prints the CPU time (user + sys) of each (the wall-time ratio is only meaningful on an otherwise idle
// machine: the server, the client and the disk's writeback share its cores) and how many bytes the resume re-read
// from disk to carry the sha256 (the gap between the record's saved sha256 state and the kept bytes:
// src/main/core/models/download-resume.ts; on loopback the thread keeping the state lags far behind, it keeps up
// at real network speeds: bench/models-pace.mjs), with the time the resumed process took in all (a resumed pull
// hashes with hash-wasm only). Measured (load 2.5-3.7, 5 rounds, against the build without the state's thread
// as BENCH_BASELINE): 1.04 x its throughput (0.94 x in two other runs), CPU 2.33 s vs 2.21 s, peak RSS 129-142
// MiB vs 122-124; the resume re-read 419 of 515 MiB and took 3.48 s (4.25 s CPU) against that build's 1.56 s
// (1.77 s CPU, re-reading all 517 MiB with node's crypto).
// Prints medians and checks the targets: throughput >= 0.9 x curl, bytes fetched again after the cut <= 1 % of
// the file, the pulling process's peak RSS <= 150 MiB.
// Env: BENCH_ROUNDS (default 3), BENCH_MIB (default 1024), KEEP=1 keeps bench/.work/models, BENCH_NODE_ARGS,
// BENCH_BASELINE (another built checkout whose pull runs in the same rounds, and its own cut and resume).
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Buffer } from 'node:buffer';
import { setTimeout } from 'node:timers';
import { log, median, MiB, root } from './lib.mjs';

const run = promisify(execFile);
const work = join(root, 'bench', '.work', 'models');
const bin = join(root, 'bin', 'kintsugi-models.js');
const floor = join(root, 'bench', 'models-floor.mjs');
const TRICKLE = 64 * 1024;
const SIZE = Number(process.env.BENCH_MIB ?? 1024) * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

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
  const state = { bodyBytes: 0, slowAfter: Infinity };
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
    const limit = state.slowAfter;
    state.slowAfter = Infinity;
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
        void trickle(res, start + sent).catch(() => res.destroy());
      }
    });
    rs.on('end', () => res.end());
    res.on('close', () => rs.destroy());
  });
  /** The rest of the file from `from`, 64 KiB every 10 ms, until the client goes. */
  async function trickle(res, from) {
    const fh = await open(file, 'r');
    try {
      for (let pos = from; pos < SIZE && !res.destroyed; pos += TRICKLE) {
        const buf = Buffer.allocUnsafe(Math.min(TRICKLE, SIZE - pos));
        await fh.read(buf, 0, buf.length, pos);
        state.bodyBytes += buf.length;
        res.write(buf);
        await new Promise((r) => setTimeout(r, 10));
      }
      if (!res.destroyed) res.end();
    } finally {
      await fh.close();
    }
  }
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
  const env = { HF_ENDPOINT: base };
  // BENCH_NODE_ARGS: node flags for the pulling process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const argsFor = (b) => [
    ...nodeArgs,
    b,
    'pull',
    'bench',
    '--json',
    '--data-root',
    data,
    '--state-dir',
    join(work, 'state'),
  ];
  const pullArgs = argsFor(bin);
  // BENCH_BASELINE: another checkout, built (e.g. `git archive <commit> | tar -x -C DIR`, node_modules linked,
  // `npx electron-vite build`): its pull runs in the same rounds and its own cut and resume, for a ratio between
  // two builds measured under the same load.
  const baseline = process.env.BENCH_BASELINE
    ? argsFor(join(resolve(process.env.BENCH_BASELINE), 'bin', 'kintsugi-models.js'))
    : undefined;
  const based = [];
  const basedCpu = [];
  const basedRss = [];
  const url = `${base}/org/bench/resolve/main/bench.gguf`;
  const ours = [];
  const curls = [];
  const rss = [];
  const oursCpu = [];
  const curlCpu = [];
  const floors = [];
  const floorCpu = [];
  const synced = [];
  const syncedCpu = [];
  const tools = [];
  const toolsCpu = [];
  for (let r = 1; r <= ROUNDS; r++) {
    await rm(dest, { force: true });
    const a = await timed(process.execPath, pullArgs, env);
    const res = JSON.parse(a.stdout.trim().split('\n').at(-1));
    if (!res.result || res.result.sha256 !== sha) throw new Error(`pull failed: ${a.stdout}`);
    ours.push(a.ms);
    oursCpu.push(a.cpu);
    rss.push(a.rssKiB);
    await rm(dest, { force: true });
    if (baseline) {
      const b = await timed(process.execPath, baseline, env);
      if (JSON.parse(b.stdout.trim().split('\n').at(-1)).result?.sha256 !== sha)
        throw new Error(`baseline pull failed: ${b.stdout}`);
      based.push(b.ms);
      basedCpu.push(b.cpu);
      basedRss.push(b.rssKiB);
      await rm(dest, { force: true });
    }
    const curlOut = join(work, 'curl.gguf');
    const c = await timed('curl', ['-sSL', '-o', curlOut, url], {});
    if ((await stat(curlOut)).size !== SIZE) throw new Error('curl fetched the wrong size');
    await rm(curlOut, { force: true });
    curls.push(c.ms);
    curlCpu.push(c.cpu);
    const f = await timed(process.execPath, [floor, url, curlOut], {});
    if (f.stdout.trim() !== sha) throw new Error(`the floor script got sha256 ${f.stdout.trim()}`);
    await rm(curlOut, { force: true });
    floors.push(f.ms);
    floorCpu.push(f.cpu);
    // One shell line: its time is the whole line's (curl and sync, children of the shell).
    const p = await timed('sh', ['-c', 'curl -sSL -o "$2" "$1" && sync "$2"', 'sh', url, curlOut], {});
    if ((await stat(curlOut)).size !== SIZE) throw new Error('curl && sync fetched the wrong size');
    await rm(curlOut, { force: true });
    synced.push(p.ms);
    syncedCpu.push(p.cpu);
    const t = await timed(
      'sh',
      [
        '-c',
        'curl -sSL -o "$2" "$1" && openssl dgst -sha256 "$2" >/dev/null && sync "$2"',
        'sh',
        url,
        curlOut,
      ],
      {},
    );
    if ((await stat(curlOut)).size !== SIZE)
      throw new Error('curl && openssl sha256 && sync fetched the wrong size');
    await rm(curlOut, { force: true });
    tools.push(t.ms);
    toolsCpu.push(t.cpu);
    log(
      `round ${r}: kintsugi ${(a.ms / 1000).toFixed(2)} s (peak RSS ${(a.rssKiB / 1024).toFixed(0)} MiB), ${baseline ? `baseline ${(based.at(-1) / 1000).toFixed(2)} s (peak RSS ${(basedRss.at(-1) / 1024).toFixed(0)} MiB), ` : ''}curl ${(c.ms / 1000).toFixed(2)} s, node floor ${(f.ms / 1000).toFixed(2)} s, curl && sync ${(p.ms / 1000).toFixed(2)} s, curl && openssl sha256 && sync ${(t.ms / 1000).toFixed(2)} s`,
    );
  }

  // Cut at 50 %: SIGKILL a while after the partial holds half the file (the bytes trickle by then), then a new
  // process resumes.
  async function cutAndResume(args) {
    await rm(dest, { force: true });
    await rm(`${dest}.incomplete.json`, { force: true });
    state.bodyBytes = 0;
    state.slowAfter = SIZE / 2 + 12345;
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const have = await stat(`${dest}.incomplete`).then(
        (s) => s.size,
        () => 0,
      );
      if (have >= SIZE / 2) break;
    }
    // ~5 MiB more at the trickle's pace: not on a record's boundary (every 4 MiB for 1 GiB: recordEvery).
    await new Promise((r) => setTimeout(r, 770));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const partial = (await stat(`${dest}.incomplete`)).size;
    const resumed = await timed(process.execPath, args, env);
    const rr = JSON.parse(resumed.stdout.trim().split('\n').at(-1));
    if (!rr.result || rr.result.sha256 !== sha) throw new Error(`resume failed: ${resumed.stdout}`);
    return { partial, resumed, rr, again: state.bodyBytes - SIZE };
  }
  const { partial, resumed, rr, again } = await cutAndResume(pullArgs);
  const baseCut = baseline ? await cutAndResume(baseline) : undefined;
  server.closeAllConnections();
  server.close();

  const mbps = (ms) => SIZE / MiB / (ms / 1000);
  const ratio = median(curls) / median(ours);
  const peak = Math.max(...rss, resumed.rssKiB) / 1024;
  const line = (what, ms) =>
    `${what.padEnd(27)} median ${(median(ms) / 1000).toFixed(2)} s = ${mbps(median(ms)).toFixed(0)} MiB/s (${(median(curls) / median(ms)).toFixed(2)} x curl)`;
  const lines = [
    line('kintsugi pull (sha256 on):', ours),
    ...(baseline
      ? [
          line('baseline pull (BENCH_BASELINE):', based),
          `kintsugi / baseline: ${(median(based) / median(ours)).toFixed(2)} x the baseline's throughput; CPU ${median(oursCpu).toFixed(2)} s vs ${median(basedCpu).toFixed(2)} s (medians)`,
        ]
      : []),
    line('curl -o:', curls),
    line('node floor (GET+sha256+fsync):', floors),
    line('curl -o && sync FILE:', synced),
    line('curl && openssl sha256 && sync:', tools),
    `CPU time (user + sys, all threads), medians: kintsugi ${median(oursCpu).toFixed(2)} s, curl ${median(curlCpu).toFixed(2)} s, node floor ${median(floorCpu).toFixed(2)} s, curl && sync ${median(syncedCpu).toFixed(2)} s, curl && openssl sha256 && sync ${median(toolsCpu).toFixed(2)} s (less load-sensitive than wall time)`,
    `throughput ratio ${ratio.toFixed(2)} x curl (target >= 0.90): ${ratio >= 0.9 ? 'MET' : 'MISSED'}; against the node floor ${(median(floors) / median(ours)).toFixed(2)} x, against the same job done by curl && openssl sha256 && sync ${(median(tools) / median(ours)).toFixed(2)} x`,
    `cut at 50 %: partial ${(partial / MiB).toFixed(1)} MiB, resumed at ${(rr.result.resumedFrom / MiB).toFixed(1)} MiB; fetched again ${(again / MiB).toFixed(2)} MiB = ${((again / SIZE) * 100).toFixed(2)} % (target <= 1 %): ${again / SIZE <= 0.01 ? 'MET' : 'MISSED'}; re-read from disk to carry the sha256: ${(rr.result.reread / MiB).toFixed(1)} MiB; the resumed process took ${(resumed.ms / 1000).toFixed(2)} s, ${resumed.cpu.toFixed(2)} s CPU`,
    ...(baseCut
      ? [
          `baseline's cut at 50 %: resumed at ${(baseCut.rr.result.resumedFrom / MiB).toFixed(1)} MiB, fetched again ${(baseCut.again / MiB).toFixed(2)} MiB, re-read ${((baseCut.rr.result.reread ?? baseCut.rr.result.resumedFrom) / MiB).toFixed(1)} MiB; the resumed process took ${(baseCut.resumed.ms / 1000).toFixed(2)} s, ${baseCut.resumed.cpu.toFixed(2)} s CPU`,
        ]
      : []),
    `peak RSS of the pulling process ${peak.toFixed(0)} MiB (target <= 150): ${peak <= 150 ? 'MET' : 'MISSED'}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (!process.env.KEEP) await rm(work, { recursive: true, force: true });
}

main().catch((err) => {
  log(err.stack ?? String(err));
  process.exit(1);
});
