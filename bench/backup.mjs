#!/usr/bin/env node
// Backup benchmark (`npm run bench:backup`, which builds first). Creates a sparse 8 GiB file, formats it ext4,
// attaches it to a loop device and mounts it (all created here, detached at the end), writes a generated tree
// of BENCH_MIB (default 1024) MiB into it (32 large files holding 7/8 of the bytes, 3,000 small ones of 1-80 KiB
// the rest: a drive full of models plus their small files), then runs interleaved rounds (each step once per
// round, so a busy moment hits all of them):
//   1. plain `rsync -aHAX --numeric-ids SRC/ COPY/` then `sync -f COPY` (the copy flushed, as a backup is)
//   2. the app: `node out/main/cli.js backup SRC DEST --json` into an empty DEST     (target 1: <= 2.0x of 1)
//   3. the app again, nothing changed (incremental, --link-dest + inherited checksums) (target 2: <= 10% of 2);
//      beside it, its floor: plain `rsync -aHAX --numeric-ids --link-dest=BACKUP SRC/ NEW/` + `sync -f`, the
//      copy step alone with nothing to verify (printed as a share of 2, not a target)
//   4. 1 % of the bytes changed (small files rewritten), the app again                (target 3: <= 15% of 2)
//   5. plain `rsync -aHAX --numeric-ids BACKUP/ OUT/` + `sync -f OUT`, and the app's `restore BACKUP OUT`
//      (restore with its verify against the manifest)                                  (target 4: <= 2.0x)
// The app's figures are its jobs' own times (backup: the manifest's createdAt..finishedAt plus the manifest
// write; restore: durationMs); the CLI's wall time (node start-up, the device host) is printed beside them.
// Peak RSS (target 5: <= 150 MiB) is VmHWM polled from /proc over the CLI and its node children.
// Env: BENCH_ROUNDS (default 3), BENCH_MIB, KEEP=1 keeps bench/.work-backup. Needs root (loop devices, mount).
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';

import { cli, log, median, MiB, root, timed } from './lib.mjs';

const run = promisify(execFile);
const work = join(root, 'bench', '.work-backup');
const TOTAL = Number(process.env.BENCH_MIB ?? 1024) * MiB;
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));
const LARGE = 32;
const SMALL = 3000;

async function writeRandom(path, size) {
  const fh = await open(path, 'w');
  for (let off = 0; off < size; off += 4 * MiB) {
    const n = Math.min(4 * MiB, size - off);
    await fh.write(randomBytes(n));
  }
  await fh.close();
}

/** The generated tree; returns the small files' paths and sizes (the 1 % change rewrites some of them). */
async function buildTree(src) {
  const smallTotal = TOTAL / 8;
  const large = Math.floor((TOTAL - smallTotal) / LARGE);
  await mkdir(join(src, 'models'), { recursive: true });
  for (let i = 0; i < LARGE; i++) await writeRandom(join(src, 'models', `model-${i}.gguf`), large);
  const small = [];
  let left = smallTotal;
  for (let i = 0; i < SMALL; i++) {
    const dir = join(src, 'projects', `p${i % 60}`);
    if (i < 60) await mkdir(dir, { recursive: true });
    const size =
      i === SMALL - 1
        ? Math.max(1, left)
        : Math.min(left, randomInt(1024, Math.floor((2 * smallTotal) / SMALL) - 1024));
    left -= size;
    const path = join(dir, `file-${i}.txt`);
    await writeFile(path, randomBytes(size));
    small.push({ path, size });
  }
  return small;
}

/** Rewrites small files (new random bytes, same sizes) until 1 % of the tree's bytes changed. */
async function changeOnePercent(small, round) {
  let changed = 0;
  for (let i = round * 97; changed < TOTAL / 100; i++) {
    const f = small[i % small.length];
    await writeFile(f.path, randomBytes(f.size));
    changed += f.size;
  }
  return changed;
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

async function app(args) {
  // Its own state dir: the bench's job records stay in its work folder, never in the person's ~/.local/state.
  const r = await timed(process.execPath, [cli, ...args, '--json', '--state-dir', join(work, 'state')]);
  return { ...r, result: JSON.parse(r.out).result };
}

async function plainCopy(from, to, linkDest) {
  const t0 = performance.now();
  const link = linkDest ? [`--link-dest=${linkDest}`] : [];
  await run('rsync', ['-aHAX', '--numeric-ids', ...link, `${from}/`, `${to}/`]);
  const copyMs = performance.now() - t0;
  await run('sync', ['-f', to]);
  return { copyMs, ms: performance.now() - t0 };
}

/** The backup job's own time: from its start (createdAt) to its manifest (finishedAt is set just before it). */
const jobMs = (m, wall) => Math.min(wall, Date.parse(m.finishedAt) - Date.parse(m.createdAt));

async function main() {
  if (process.getuid?.() !== 0) throw new Error('needs root (loop device, mount)');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const img = join(work, 'fs.img');
  const mnt = join(work, 'mnt');
  await mkdir(mnt);
  const fh = await open(img, 'w');
  await fh.truncate(Math.max(8 * 1024 * MiB, TOTAL * 7));
  await fh.close();
  await run('mkfs.ext4', ['-q', '-F', img]);
  const dev = (await run('losetup', ['-f', '--show', img])).stdout.trim();
  let mounted = false;
  try {
    await run('mount', [dev, mnt]);
    mounted = true;
    const src = join(mnt, 'src');
    log(`generating ${TOTAL / MiB} MiB (${LARGE} large files, ${SMALL} small) on ${dev}`);
    const small = await buildTree(src);
    await run('sync', ['-f', mnt]);
    const nodeStart = (await timed(process.execPath, [cli, '--version'])).ms;

    const R = {
      plain: [],
      plainCopy: [],
      plainLink: [],
      first: [],
      firstWall: [],
      same: [],
      sameWall: [],
      pct: [],
      pctWall: [],
      plainRestore: [],
      plainRestoreCopy: [],
      restore: [],
      restoreWall: [],
      rss: [],
      hashed: [],
    };
    for (let round = 0; round < ROUNDS; round++) {
      const dest = join(mnt, `dest-${round}`);
      await mkdir(dest);
      const p = await plainCopy(src, join(mnt, `plain-${round}`));
      R.plain.push(p.ms);
      R.plainCopy.push(p.copyMs);
      await rm(join(mnt, `plain-${round}`), { recursive: true });

      const first = await app(['backup', src, dest]);
      R.first.push(jobMs(first.result, first.ms));
      R.firstWall.push(first.ms);
      const linked = join(mnt, `plain-link-${round}`);
      R.plainLink.push((await plainCopy(src, linked, first.result.path)).ms);
      await rm(linked, { recursive: true });
      const same = await app(['backup', src, dest]);
      R.same.push(jobMs(same.result, same.ms));
      R.sameWall.push(same.ms);
      const changed = await changeOnePercent(small, round);
      await run('sync', ['-f', mnt]);
      const pct = await app(['backup', src, dest]);
      R.pct.push(jobMs(pct.result, pct.ms));
      R.pctWall.push(pct.ms);
      R.hashed.push(
        `${same.result.verify.hashedFiles}/${pct.result.verify.hashedFiles} files read (${(changed / MiB).toFixed(1)} MiB changed)`,
      );

      const pr = await plainCopy(pct.result.path, join(mnt, `plain-restore-${round}`));
      R.plainRestore.push(pr.ms);
      R.plainRestoreCopy.push(pr.copyMs);
      await rm(join(mnt, `plain-restore-${round}`), { recursive: true });
      const out = join(mnt, `restored-${round}`);
      const restore = await app(['restore', pct.result.path, out]);
      R.restore.push(Math.min(restore.result.durationMs, restore.ms));
      R.restoreWall.push(restore.ms);
      R.rss.push(first.rssKiB, same.rssKiB, pct.rssKiB, restore.rssKiB);
      await rm(out, { recursive: true });
      await rm(dest, { recursive: true });
      log(
        `round ${round + 1}: plain ${s(p.ms)}, first ${s(R.first.at(-1))}, plain --link-dest ${s(R.plainLink.at(-1))}, unchanged ${s(R.same.at(-1))}, 1% ${s(R.pct.at(-1))}, plain restore ${s(pr.ms)}, restore ${s(R.restore.at(-1))}; ${R.hashed.at(-1)}`,
      );
    }

    const m = Object.fromEntries(
      Object.entries(R).map(([k, v]) => [k, typeof v[0] === 'number' ? median(v) : v]),
    );
    const peakMiB = Math.max(...R.rss) / 1024;
    const rows = [
      [
        'first backup with verify vs rsync + sync',
        m.first / m.plain,
        2.0,
        `${s(m.first)} vs ${s(m.plain)} (rsync alone ${s(m.plainCopy)}: ${(m.first / m.plainCopy).toFixed(2)}x)`,
      ],
      [
        'unchanged re-backup vs first backup',
        m.same / m.first,
        0.1,
        `${s(m.same)} vs ${s(m.first)} (floor, plain rsync --link-dest + sync: ${s(m.plainLink)}, ${((100 * m.plainLink) / m.first).toFixed(1)} % of first)`,
      ],
      ['re-backup after 1 % changed vs first', m.pct / m.first, 0.15, `${s(m.pct)} vs ${s(m.first)}`],
      [
        'restore with verify vs rsync + sync',
        m.restore / m.plainRestore,
        2.0,
        `${s(m.restore)} vs ${s(m.plainRestore)} (rsync alone ${s(m.plainRestoreCopy)}: ${(m.restore / m.plainRestoreCopy).toFixed(2)}x)`,
      ],
      ['peak RSS (MiB)', peakMiB, 150, `${peakMiB.toFixed(0)} MiB`],
    ];
    console.log(
      `\nBackup benchmark: ${TOTAL / MiB} MiB (${LARGE} large + ${SMALL} small files), ${ROUNDS} rounds, medians`,
    );
    console.log(
      `CLI wall times (node start-up ${s(nodeStart)} included): first ${s(m.firstWall)}, unchanged ${s(m.sameWall)}, 1% ${s(m.pctWall)}, restore ${s(m.restoreWall)}`,
    );
    for (const [name, ratio, target, detail] of rows)
      console.log(
        `${ratio <= target ? 'PASS' : 'MISS'}  ${name}: ${ratio.toFixed(ratio >= 10 ? 0 : 3)} (target <= ${target})  ${detail}`,
      );
  } finally {
    if (mounted) await run('umount', [mnt]).catch(() => run('umount', ['-l', mnt]));
    await run('losetup', ['-d', dev]);
    if (process.env.KEEP !== '1') await rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
