import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowOnlyDevicesInThisProcess, withTreeAt } from '../../src/main/core/backup/source';
import { KintsugiError } from '../../src/shared/errors';
import { buildFixtureImage, type FixtureImage } from '../helpers/fixture-image';

// withTreeAt's 'device-only' rule with the real mount code on a real image file: the same file that mounts with
// the default is refused, before any loop device or mount, when only devices are allowed.

let dir: string;
let fixture: FixtureImage;

const mountinfo = () => readFile('/proc/self/mountinfo', 'utf8');
const loopsOver = async (file: string) => (await execa('losetup', ['-j', file])).stdout.trim();
const opts = { readOnly: true, includeLoop: true, missingCode: 'INVALID_ARGUMENT' as const, role: 'source' };

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof KintsugiError ? `${err.code}: ${err.detail}` : `other: ${String(err)}`;
  }
  return 'resolved';
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-source-'));
  fixture = await buildFixtureImage(join(dir, 'fx'), { sizeMiB: 32, populate: false });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('withTreeAt', () => {
  it('mounts the persistence store of an image file by default (the control for the refusals below)', async () => {
    const seen = await withTreeAt(fixture.imagePath, opts, async (t) => t.description);
    expect(seen).toContain('persistence partition 2');
  });

  it("with allow 'device-only' refuses an image file and a directory before mounting anything", async () => {
    const before = await mountinfo();
    let called = 0;
    const run = (path: string) =>
      withTreeAt(path, { ...opts, allow: 'device-only' }, async () => {
        called++;
        expect(await loopsOver(fixture.imagePath)).toBe(''); // never reached: no loop over the file
      });
    expect(await refusal(run(fixture.imagePath))).toBe(
      `INVALID_ARGUMENT: source ${fixture.imagePath} is a regular file; only a drive is accepted here`,
    );
    expect(await refusal(run(dir))).toBe(
      `INVALID_ARGUMENT: source ${dir} is a directory; only a drive is accepted here`,
    );
    expect(called).toBe(0);
    expect(await loopsOver(fixture.imagePath)).toBe('');
    expect(await mountinfo()).toBe(before);
  });

  // Last in this file: the switch cannot be undone (vitest gives every test file its own process state).
  it('in a process switched to devices only, refuses a directory even when the caller allows any', async () => {
    allowOnlyDevicesInThisProcess();
    let called = 0;
    const r = await refusal(withTreeAt(dir, { ...opts, allow: 'any' }, async () => void called++));
    expect(r).toMatch(/is a directory; only a drive is accepted here$/);
    expect(called).toBe(0);
  });
});
