import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTree, diffTrees } from '../helpers/describe-tree';
import {
  buildFixtureImage,
  compressFixture,
  writeSha256File,
  type FixtureImage,
} from '../helpers/fixture-image';
import { attachLoop, detachLoop } from '../helpers/loop';
import { assertCliBuilt, CLI, cliRunner, shellQuote } from '../helpers/cli';

// The built `kintsugi` (out/main/cli.js; `npm test` builds first) against real tools and loop devices this file
// creates. The terminal confirmation is typed into a real pty through util-linux `script`.

let dir: string;
const { cli, cliOnPty, env } = cliRunner(() => dir);
let drive: FixtureImage; // the populated "old drive"
let fresh: FixtureImage; // the new image, empty persistence
let zst: string;
let sums: string;
const loops: string[] = [];

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

async function scratchDrive(name: string, fill = 0x5a, mib = 64) {
  const file = join(dir, name);
  await writeFile(file, Buffer.alloc(mib * 1024 * 1024, fill));
  const dev = await attachLoop(file);
  loops.push(dev);
  return { file, dev };
}

beforeAll(async () => {
  await assertCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-cli-'));
  drive = await buildFixtureImage(join(dir, 'old'), { name: 'drive.img', sizeMiB: 48 });
  fresh = await buildFixtureImage(join(dir, 'new'), {
    name: 'kintsugi-v7.img',
    sizeMiB: 40,
    populate: false,
  });
  zst = await compressFixture(fresh.imagePath, 'zstd');
  sums = await writeSha256File([zst], join(dir, 'new', 'kintsugi-v7.img.zst.sha256'));
});

afterAll(async () => {
  for (const l of loops) await detachLoop(l).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('kintsugi (built CLI)', () => {
  it('drives hides loop devices unless --include-loop', async () => {
    const { dev } = await scratchDrive('listed.img');
    const withLoop = await cli(['drives', '--include-loop', '--json']);
    expect(withLoop.exitCode).toBe(0);
    const views = JSON.parse(String(withLoop.stdout)).result as {
      device: string;
      isLoop: boolean;
      selectable: boolean;
    }[];
    expect(views.find((d) => d.device === dev)).toMatchObject({ isLoop: true, selectable: true });
    const without = JSON.parse(String((await cli(['drives', '--json'])).stdout)).result as {
      device: string;
    }[];
    expect(without.some((d) => d.device === dev)).toBe(false);
    const human = await cli(['drives', '--include-loop']);
    expect(String(human.stdout)).toMatch(new RegExp(`^${dev} +64\\.0 MiB`, 'm'));
  });

  it('flash refuses without confirmation (no TTY), a mistyped name, and a loop device without the opt-in', async () => {
    const { file, dev } = await scratchDrive('untouched.img');
    const before = await sha256(file);

    const noTty = await cli(['flash', zst, dev, '--include-loop']);
    expect(noTty.exitCode).toBe(1);
    expect(String(noTty.stderr)).toMatch(/^error CONFIRMATION_REQUIRED: .*\n {2}.*not a terminal/);

    const wrong = await cliOnPty(['flash', zst, dev, '--include-loop'], 'sda');
    expect(wrong.exitCode).toBe(1);
    expect(String(wrong.stdout)).toContain('Type the device name');
    expect(String(wrong.stdout)).toContain('error CONFIRMATION_REQUIRED');

    const hidden = await cli(['flash', zst, dev, '--yes', '--json']);
    expect(hidden.exitCode).toBe(1);
    expect(JSON.parse(String(hidden.stdout))).toMatchObject({ error: { code: 'DRIVE_LOOP_NOT_ALLOWED' } });

    const badSum = join(dir, 'wrong.sha256');
    await writeFile(badSum, `${'f'.repeat(64)}  kintsugi-v7.img.zst\n`);
    const mismatch = await cli(['flash', zst, dev, '--yes', '--include-loop', '--sha256', badSum, '--json']);
    expect(JSON.parse(String(mismatch.stdout))).toMatchObject({ error: { code: 'IMAGE_CHECKSUM_MISMATCH' } });

    expect(await sha256(file)).toBe(before);

    // Too small: refused after the image check and before any question is asked.
    const small = await scratchDrive('small.img', 0x5a, 8);
    const smallBefore = await sha256(small.file);
    const tooSmall = await cliOnPty(
      ['flash', zst, small.dev, '--include-loop'],
      small.dev.replace('/dev/', ''),
    );
    expect(tooSmall.exitCode).toBe(1);
    expect(String(tooSmall.stdout)).toContain('error DRIVE_TOO_SMALL');
    expect(String(tooSmall.stdout)).not.toContain('Type the device name');
    expect(await sha256(small.file)).toBe(smallBefore);
  });

  it('flash after typing the device name on a terminal, then verify reads it back', async () => {
    const { file, dev } = await scratchDrive('typed.img');
    const name = dev.replace('/dev/', '');
    const r = await cliOnPty(['flash', zst, dev, '--include-loop', '--sha256', sums], name);
    expect(r.exitCode, String(r.stdout)).toBe(0);
    const screen = String(r.stdout);
    expect(screen).toContain(`Type the device name (${name})`);
    expect(screen).toMatch(/Wrote .* to \/dev\/loop\d+/);
    expect(screen).toContain('verified by reading it back');
    const head = (await readFile(file)).subarray(0, fresh.sizeBytes);
    expect(createHash('sha256').update(head).digest('hex')).toBe(await sha256(fresh.imagePath));

    const v = await cli(['verify', zst, dev, '--include-loop', '--json']);
    expect(v.exitCode, String(v.stdout)).toBe(0);
    expect(JSON.parse(String(v.stdout)).result).toMatchObject({ device: dev, verified: true });
  });

  it('Ctrl-C at the confirmation prompt cancels with exit 130 and leaves the drive alone', async () => {
    const { file, dev } = await scratchDrive('ctrl-c.img');
    const before = await sha256(file);
    const child = execa(
      'script',
      [
        '-qec',
        [process.execPath, CLI, 'flash', zst, dev, '--include-loop'].map(shellQuote).join(' '),
        '/dev/null',
      ],
      {
        stdin: 'pipe',
        env: env(),
        reject: false,
        timeout: 60_000,
      },
    );
    let screen = '';
    child.stdout!.on('data', (c: Buffer) => {
      screen += c.toString();
      if (screen.includes('Type the device name') && child.stdin!.writable) child.stdin!.end('\x03');
    });
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(screen).toContain('error CANCELLED');
    expect(await sha256(file)).toBe(before);
  });

  it('--json --progress streams NDJSON events, then one result line', async () => {
    const { dev } = await scratchDrive('ndjson.img');
    const r = await cli(['flash', zst, dev, '--yes', '--include-loop', '--json', '--progress']);
    expect(r.exitCode, String(r.stdout)).toBe(0);
    const lines = String(r.stdout)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const flashProgress = lines.filter((l) => l.type === 'progress' && l.progress.kind === 'flash');
    expect(flashProgress.length).toBeGreaterThan(0);
    expect(flashProgress.some((l) => l.progress.phase === 'verify')).toBe(true);
    expect(lines.at(-1).result.flash).toMatchObject({ device: dev, verified: true });
  });

  it('backup of a drive, restore into a directory, and reflash end to end', async () => {
    const dev = await attachLoop(drive.imagePath);
    loops.push(dev);
    const dest = join(dir, 'cli-backups');
    await mkdir(dest);
    const b = await cli(['backup', dev, dest, '--include-loop', '--json']);
    expect(b.exitCode, String(b.stdout)).toBe(0);
    const backup = JSON.parse(String(b.stdout)).result as { path: string; verified: boolean };
    expect(backup.verified).toBe(true);

    const into = join(dir, 'restored');
    await mkdir(into);
    const r = await cli(['restore', backup.path, into]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toMatch(/^Restored .* \(verified\)/);
    expect(diffTrees(drive.tree, await describeTree(into))).toEqual([]);

    const rf = await cli([
      'reflash',
      '--image',
      zst,
      '--drive',
      dev,
      '--backup-to',
      dest,
      '--sha256',
      sums,
      '--yes',
      '--include-loop',
      '--json',
    ]);
    expect(rf.exitCode, String(rf.stdout) + String(rf.stderr)).toBe(0);
    const s = JSON.parse(String(rf.stdout)).result;
    expect(s).toMatchObject({
      state: { device: dev, step: 'done', flash: { verified: true }, restore: { verified: true } },
      ran: ['image', 'drive', 'backup', 'flash', 'restore'],
      resumed: [],
    });
    expect(Object.keys(s.state.durations).sort()).toEqual(['backup', 'flash', 'image', 'restore']);
  });

  it('Ctrl-C during a flash cancels it and exits 130', async () => {
    // A bigger sparse image so the write phase lasts long enough to be interrupted.
    const big = join(dir, 'big.img');
    await writeFile(big, '');
    await truncate(big, 768 * 1024 * 1024);
    // An MBR partition table, or the image check would refuse an all-zero file as not a disk image.
    await execa('sfdisk', ['--quiet', big], { input: 'label: dos\nstart=2048, type=83\n' });
    const bigZst = await compressFixture(big, 'zstd');
    const target = join(dir, 'interrupted.img');
    await writeFile(target, '');
    await truncate(target, 800 * 1024 * 1024);
    const dev = await attachLoop(target);
    loops.push(dev);
    const child = execa(
      process.execPath,
      [CLI, 'flash', bigZst, dev, '--yes', '--include-loop', '--json', '--progress'],
      {
        reject: false,
        stdin: 'ignore',
        env: env(),
        timeout: 60_000,
      },
    );
    let sent = false;
    child.stdout!.on('data', (c: Buffer) => {
      if (!sent && c.toString().includes('"kind":"flash"')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const r = await child;
    expect(sent).toBe(true);
    expect(r.exitCode).toBe(130);
    expect(JSON.parse(String(r.stdout).trim().split('\n').at(-1)!)).toMatchObject({
      error: { code: 'CANCELLED' },
    });
  });
});
