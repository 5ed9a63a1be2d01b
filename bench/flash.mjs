#!/usr/bin/env node
// Flash benchmark (`npm run bench:flash`, after `npm run build`). Builds a ~1 GiB image (random and zero regions,
// GPT label), its .bmap (bmaptool create) and a .img.zst, then flashes one loop device with:
//   1. the app: `node out/main/cli.js flash IMG DEV --json --yes --include-loop --no-verify` (no .bmap beside)
//   2. the baseline pipeline `zstd -dc IMG | dd of=DEV bs=4M oflag=direct`
//   3. the app with the .bmap beside the image
//   4. `bmaptool copy --bmap IMG.bmap IMG.zst DEV`
// and prints times, the ratios against the targets (write phase <= 1.10x dd; with bmap <= 1.0x bmaptool) and the
// flashing process's peak RSS (VmHWM polled from /proc for the CLI process and its node children).
// Work files live in bench/.work (gitignored) and are removed at the end unless KEEP=1. Needs root (loop devices).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', '.work');
const cli = join(root, 'out', 'main', 'cli.js');
const MiB = 1024 * 1024;
const IMAGE_SIZE = Number(process.env.BENCH_MIB ?? 1024) * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

async function buildImage(path) {
  const fh = await open(path, 'w');
  await fh.truncate(IMAGE_SIZE);
  // ~40% random data in 16 regions spread over the image, the rest zero (holes, as a fresh filesystem leaves).
  const regions = 16;
  const stride = IMAGE_SIZE / regions;
  const dataPerRegion = Math.floor((stride * 0.4) / MiB) * MiB;
  for (let r = 0; r < regions; r++) {
    for (let off = 0; off < dataPerRegion; off += 4 * MiB) {
      const n = Math.min(4 * MiB, dataPerRegion - off);
      await fh.write(randomBytes(n), 0, n, r * stride + MiB + off);
    }
  }
  await fh.close();
  // sfdisk reads its script from stdin: a spawned pipe we end (execFile would leave stdin open forever).
  await new Promise((res, rej) => {
    const p = spawn('sfdisk', ['--quiet', path], { stdio: ['pipe', 'ignore', 'inherit'] });
    p.on('exit', (c) => (c === 0 ? res() : rej(new Error(`sfdisk exit ${c}`))));
    p.stdin.end('label: gpt\nstart=2048, type=linux\n');
  });
}

/** Peak RSS (VmHWM, KiB) over a process and its descendants that are node processes, polled every 50 ms. */
function watchPeak(pid) {
  let peak = 0;
  const poll = async () => {
    const pids = [pid];
    for (let i = 0; i < pids.length; i++) {
      try {
        const tasks = await readdir(`/proc/${pids[i]}/task`);
        for (const t of tasks) {
          const kids = (await readFile(`/proc/${pids[i]}/task/${t}/children`, 'utf8')).trim();
          if (kids) pids.push(...kids.split(/\s+/).map(Number));
        }
      } catch {
        /* exited */
      }
    }
    for (const p of pids) {
      try {
        const status = await readFile(`/proc/${p}/status`, 'utf8');
        if (!/^Name:\s*node/m.test(status)) continue;
        const m = /^VmHWM:\s*(\d+) kB/m.exec(status);
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        /* exited */
      }
    }
  };
  const timer = setInterval(poll, 50);
  return {
    async stop() {
      clearInterval(timer);
      return peak;
    },
    poll,
  };
}

function timed(cmd, args, opts = {}) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const peak = watchPeak(p.pid);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', async (code) => {
      const ms = performance.now() - t0;
      const rssKiB = await peak.stop();
      if (code !== 0) rej(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err || out}`));
      else res({ ms, out, rssKiB });
    });
  });
}

/** `zstd -dc IMG | dd of=DEV bs=4M oflag=direct`, wired with two argument-array processes (no shell). */
function ddPipeline(img, dev) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const z = spawn('zstd', ['-dc', img], { stdio: ['ignore', 'pipe', 'inherit'] });
    const d = spawn('dd', [`of=${dev}`, 'bs=4M', 'oflag=direct', 'iflag=fullblock', 'status=none'], {
      stdio: [z.stdout, 'ignore', 'inherit'],
    });
    d.on('exit', (code) =>
      code === 0 ? res({ ms: performance.now() - t0 }) : rej(new Error(`dd exited ${code}`)),
    );
  });
}

async function settle() {
  await run('sync');
}

function median(xs) {
  // An even count (the default 2 rounds) averages the middle two instead of reporting the slower one.
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('the flash benchmark needs root (loop devices)');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  await rm(work, { recursive: true, force: true });
  await mkdir(join(work, 'plain'), { recursive: true });
  await mkdir(join(work, 'bmap'), { recursive: true });
  const img = join(work, 'kintsugi-bench.img');
  log(`building a ${IMAGE_SIZE / MiB} MiB image...`);
  await buildImage(img);
  await run('bmaptool', ['create', '-o', join(work, 'bmap', 'kintsugi-bench.img.bmap'), img]);
  await run('zstd', ['-q', '-f', '-T0', '-3', '-o', join(work, 'plain', 'kintsugi-bench.img.zst'), img]);
  await link(join(work, 'plain', 'kintsugi-bench.img.zst'), join(work, 'bmap', 'kintsugi-bench.img.zst'));
  const zst = join(work, 'plain', 'kintsugi-bench.img.zst');
  const zstB = join(work, 'bmap', 'kintsugi-bench.img.zst');
  const bmap = join(work, 'bmap', 'kintsugi-bench.img.bmap');
  const devFile = join(work, 'device.bin');
  const fh = await open(devFile, 'w');
  await fh.truncate(IMAGE_SIZE + 64 * MiB);
  await fh.close();
  const dev = (await run('losetup', ['-f', '--show', devFile])).stdout.trim();
  log(`device ${dev}; compressed ${((await stat(zst)).size / MiB).toFixed(0)} MiB`);
  const results = { app: [], appWall: [], dd: [], appBmap: [], appBmapWall: [], bmaptool: [], rss: [] };
  let verifyMs;
  try {
    // Prime the device once, untimed: the first write into a fresh sparse backing file pays for block allocation,
    // which would otherwise be charged to whichever tool runs first.
    await ddPipeline(zst, dev);
    const cliArgs = (image, verify) => [
      cli,
      'flash',
      image,
      dev,
      '--json',
      '--yes',
      '--include-loop',
      '--state-dir',
      join(work, 'state'),
      ...(verify ? [] : ['--no-verify']),
    ];
    for (let round = 0; round < ROUNDS; round++) {
      log(`round ${round + 1}/${ROUNDS}`);
      await settle();
      const a = await timed(process.execPath, cliArgs(zst, round === 0));
      const ra = JSON.parse(a.out).result.flash;
      if (ra.usedBmap) throw new Error('the plain run used a bmap');
      results.app.push(ra.durationMs);
      results.appWall.push(a.ms);
      results.rss.push(a.rssKiB);
      if (ra.verifyDurationMs) verifyMs = ra.verifyDurationMs;
      await settle();
      results.dd.push((await ddPipeline(zst, dev)).ms);
      await settle();
      const b = await timed(process.execPath, cliArgs(zstB, false));
      const rb = JSON.parse(b.out).result.flash;
      if (!rb.usedBmap) throw new Error('the bmap run did not use the bmap');
      results.appBmap.push(rb.durationMs);
      results.appBmapWall.push(b.ms);
      results.rss.push(b.rssKiB);
      await settle();
      results.bmaptool.push((await timed('bmaptool', ['-q', 'copy', '--bmap', bmap, zstB, dev])).ms);
    }
  } finally {
    await run('losetup', ['-d', dev]).catch(() => {});
    if (!process.env.KEEP) await rm(work, { recursive: true, force: true });
  }
  const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
  const peakRss = Math.max(...results.rss);
  const writeRatio = m.app / m.dd;
  const bmapRatio = m.appBmap / m.bmaptool;
  const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `image ${IMAGE_SIZE / MiB} MiB (zstd), ${ROUNDS} round(s), medians:`,
    `  app write phase (flash job, no bmap)  ${fmt(m.app)}   (CLI wall incl. image check + startup ${fmt(m.appWall)})`,
    `  zstd -dc | dd bs=4M oflag=direct      ${fmt(m.dd)}`,
    `  app write phase with .bmap            ${fmt(m.appBmap)}   (CLI wall ${fmt(m.appBmapWall)})`,
    `  bmaptool copy                         ${fmt(m.bmaptool)}`,
    verifyMs ? `  app verify (read back, O_DIRECT)      ${fmt(verifyMs)}` : '',
    `ratio write/dd      ${writeRatio.toFixed(2)}x  (target <= 1.10)  ${writeRatio <= 1.1 ? 'OK' : 'MISSED'}`,
    `ratio bmap/bmaptool ${bmapRatio.toFixed(2)}x  (target <= 1.00)  ${bmapRatio <= 1.0 ? 'OK' : 'MISSED'}`,
    `peak RSS of the flashing process ${(peakRss / 1024).toFixed(0)} MiB (target <= 200)  ${peakRss <= 200 * 1024 ? 'OK' : 'MISSED'}`,
  ].filter(Boolean);
  console.log(lines.join('\n'));
  if (process.env.BENCH_JSON)
    console.log(JSON.stringify({ medians: m, writeRatio, bmapRatio, peakRssKiB: peakRss, raw: results }));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
