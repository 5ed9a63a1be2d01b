import { execa, execaSync } from 'execa';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { fsUsage } from '../../src/main/core/models/fs-usage';
import type { OllamaBackend } from '../../src/main/core/models/ollama-backend';
import { pullModel, type PullDeps } from '../../src/main/core/models/pull';
import { writeGgufFile } from '../helpers/gguf-fixture';
import { startHfServer } from '../helpers/hf-server';
import { attachLoop, detachLoop, mountDevice, unmountDir } from '../helpers/loop';
import { hfEntry, recordingContext, writeUserManifest } from '../helpers/models-fixture';

// The storage guard on a real, small ext4 filesystem on a loop device (created and detached here): the data root
// is its mount point, filled with a ballast file to the usage each case needs, and the model comes from the local
// Hugging Face stand-in. The refusal must name the real mount point.

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;
const noOllama = (): OllamaBackend => {
  const no = async (): Promise<never> => {
    throw new Error('the Ollama fake is not used here');
  };
  return { host: 'fake', version: no, list: no, pull: no, verify: no, remove: no };
};

let work: string;
let dev: string;
let mnt: string;
let hf: Awaited<ReturnType<typeof startHfServer>>;
let sha: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kintsugi-models-fs-'));
  const img = join(work, 'fs.img');
  await execa('truncate', ['-s', '128M', img]);
  await execa('mkfs.ext4', ['-q', '-F', '-m', '0', img]);
  dev = await attachLoop(img);
  mnt = await mountDevice(dev);
  hf = await startHfServer();
  sha = await writeGgufFile(join(work, 'm.gguf'), SIZE);
  hf.files.set('m.gguf', { path: join(work, 'm.gguf'), sha256: sha });
});
afterAll(async () => {
  await hf?.close();
  if (mnt) await unmountDir(mnt);
  if (dev) await detachLoop(dev);
  await rm(work, { recursive: true, force: true });
});

const ballast = () => join(mnt, 'ballast');
const dest = () => join(mnt, 'models', 'user', 'm.gguf');

beforeEach(async () => {
  await rm(join(mnt, 'models'), { recursive: true, force: true });
  await rm(ballast(), { force: true });
  hf.log.length = 0;
  await mkdir(join(mnt, 'models', 'user'), { recursive: true });
  await writeUserManifest(
    mnt,
    `models:\n${hfEntry({ slug: 'm', file: 'm.gguf', size: SIZE, sha256: sha })}\n`,
  );
});

/** Fills the filesystem so that, after the model's SIZE bytes, it stands at `pct` % (real blocks: fallocate). */
async function fillTo(pctAfterPull: number): Promise<void> {
  const u = await fsUsage(mnt);
  const target = Math.floor((u.totalBytes * pctAfterPull) / 100) - u.usedBytes - SIZE;
  await execa('fallocate', ['-l', String(target), ballast()]);
}

const deps = (env: Record<string, string> = {}): PullDeps => ({
  ollama: noOllama,
  env: { HF_ENDPOINT: hf.base, ...env },
  download: { backoffMs: 10, retries: 1, stallMs: 5000 },
});

describe('storage guard on a loop-mounted ext4', () => {
  it('at 81 % after the pull: pulls, with the warning', async () => {
    await fillTo(81);
    const r = await pullModel({ dataRoot: mnt, slug: 'm' }, recordingContext(), deps());
    expect(r.warnings.join('\n')).toMatch(new RegExp(`Storage at 8\\d% of ${mnt} after this pull`));
    expect((await stat(dest())).size).toBe(SIZE);
  });

  it('at 96 % after the pull: refused before any byte, naming the mount point', async () => {
    await fillTo(96);
    const err = await pullModel({ dataRoot: mnt, slug: 'm' }, recordingContext(), deps()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KintsugiError);
    expect((err as KintsugiError).code).toBe('MODEL_STORAGE_REFUSED');
    expect((err as KintsugiError).message).toMatch(
      new RegExp(`^Storage at 9[5-9]% of ${mnt} — refusing pull$`),
    );
    expect(hf.bodyBytes()).toBe(0);
    expect(await stat(dest()).catch(() => null)).toBeNull();
  });

  it('the thresholds follow KINTSUGI_STORAGE_WARN_PCT / _REFUSE_PCT', async () => {
    await fillTo(81);
    const err = await pullModel(
      { dataRoot: mnt, slug: 'm' },
      recordingContext(),
      deps({ KINTSUGI_STORAGE_WARN_PCT: '50', KINTSUGI_STORAGE_REFUSE_PCT: '70' }),
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('MODEL_STORAGE_REFUSED');
  });

  it('filling up during the download: stops cleanly before the disk is full, keeps the partial, resumes later', async () => {
    await fillTo(90);
    const other = join(mnt, 'other-writer');
    // Another writer takes the room while the pull runs: after the first batch lands, 6 % more of the disk goes.
    let grown = false;
    const ctx = recordingContext((p) => {
      if (!grown && (p.bytes ?? 0) > 0) {
        grown = true;
        execaSync('fallocate', ['-l', String(Math.floor(totalBytes * 0.06)), other]);
      }
    });
    const totalBytes = (await fsUsage(mnt)).totalBytes;
    const err = await pullModel({ dataRoot: mnt, slug: 'm' }, ctx, {
      ...deps(),
      download: { backoffMs: 10, retries: 1, stallMs: 5000, guardEveryBytes: 1 },
    }).catch((e: unknown) => e);
    expect(grown).toBe(true);
    expect((err as KintsugiError).code).toBe('MODEL_STORAGE_REFUSED');
    expect((err as KintsugiError).message).toMatch(new RegExp(`of ${mnt} — refusing pull$`));
    const partial = (await stat(`${dest()}.incomplete`)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(SIZE);
    expect((await fsUsage(mnt)).usedBytes).toBeLessThan(totalBytes);
    expect(await stat(dest()).catch(() => null)).toBeNull();

    await rm(other);
    const r = await pullModel({ dataRoot: mnt, slug: 'm' }, recordingContext(), deps());
    expect(r.resumedFrom).toBe(partial);
    expect(r.sha256).toBe(sha);
  });
});
