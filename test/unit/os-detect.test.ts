import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectOsBackend, onPath, parseBackendName } from '../../src/main/core/os/detect';
import { KintsugiError } from '../../src/shared/errors';

// Which backend a root gets, on real temp roots: with and without run/ostree-booted, a dpkg database, and a PATH
// with and without an rpm-ostree stand-in script. Nothing here looks at this machine's own root.

let dir: string;
let ostreeRoot: string; // run/ostree-booted
let debRoot: string; // var/lib/dpkg/status
let emptyRoot: string;
let binWith: string; // holds an executable rpm-ostree
let binWithout: string; // holds a non-executable rpm-ostree and a directory named rpm-ostree elsewhere
let binDirNamed: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-os-detect-'));
  ostreeRoot = join(dir, 'ostree');
  debRoot = join(dir, 'deb');
  emptyRoot = join(dir, 'empty');
  await mkdir(join(ostreeRoot, 'run'), { recursive: true });
  await writeFile(join(ostreeRoot, 'run', 'ostree-booted'), '');
  await mkdir(join(debRoot, 'var', 'lib', 'dpkg'), { recursive: true });
  await writeFile(join(debRoot, 'var', 'lib', 'dpkg', 'status'), '');
  await mkdir(emptyRoot);
  binWith = join(dir, 'bin-with');
  binWithout = join(dir, 'bin-without');
  binDirNamed = join(dir, 'bin-dir');
  await mkdir(binWith);
  await mkdir(binWithout);
  await mkdir(join(binDirNamed, 'rpm-ostree'), { recursive: true });
  await writeFile(join(binWith, 'rpm-ostree'), '#!/bin/sh\nexit 0\n');
  await chmod(join(binWith, 'rpm-ostree'), 0o755);
  await writeFile(join(binWithout, 'rpm-ostree'), 'not executable');
  await chmod(join(binWithout, 'rpm-ostree'), 0o644);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KintsugiError) return err.code;
    throw err;
  }
  throw new Error('expected a KintsugiError');
}

describe('detectOsBackend', () => {
  it('ostree-booted with rpm-ostree on PATH is rpm-ostree; without it, plain ostree', async () => {
    const rpm = await detectOsBackend({ root: ostreeRoot, path: `${binWithout}:${binWith}` });
    expect(rpm).toMatchObject({ name: 'rpm-ostree', how: 'detected' });
    expect(rpm.why).toContain(join(binWith, 'rpm-ostree'));
    expect(await detectOsBackend({ root: ostreeRoot, path: binWithout })).toMatchObject({ name: 'ostree' });
    // A directory called rpm-ostree is no command (root may "execute" any directory).
    expect(await detectOsBackend({ root: ostreeRoot, path: binDirNamed })).toMatchObject({ name: 'ostree' });
    expect(await detectOsBackend({ root: ostreeRoot, path: '' })).toMatchObject({ name: 'ostree' });
  });

  it('a root that is not ostree-booted is apt, whatever PATH holds', async () => {
    expect(await detectOsBackend({ root: debRoot, path: binWith })).toMatchObject({
      name: 'apt',
      how: 'detected',
    });
  });

  it('a sysroot other than / holding ostree/repo is plain ostree (rpm-ostree drives only the booted system)', async () => {
    const sysroot = join(dir, 'sysroot');
    await mkdir(join(sysroot, 'ostree', 'repo'), { recursive: true });
    expect(await detectOsBackend({ root: debRoot, sysroot, path: binWith })).toMatchObject({
      name: 'ostree',
    });
    // A sysroot without a repo says nothing: the root decides.
    expect(await detectOsBackend({ root: debRoot, sysroot: emptyRoot, path: binWith })).toMatchObject({
      name: 'apt',
    });
  });

  it('a root with neither marker is OS_BACKEND_NOT_DETECTED, naming both files', async () => {
    const err = await detectOsBackend({ root: emptyRoot, path: binWith }).catch((e: KintsugiError) => e);
    expect(err).toBeInstanceOf(KintsugiError);
    expect((err as KintsugiError).code).toBe('OS_BACKEND_NOT_DETECTED');
    expect((err as KintsugiError).detail).toContain(join(emptyRoot, 'run', 'ostree-booted'));
    expect((err as KintsugiError).detail).toContain(join(emptyRoot, 'var', 'lib', 'dpkg', 'status'));
  });

  it('a forced name wins over what the root looks like; auto detects; an unknown name lists the three', async () => {
    expect(await detectOsBackend({ root: ostreeRoot, forced: 'apt', path: binWith })).toMatchObject({
      name: 'apt',
      how: 'forced',
    });
    expect(await detectOsBackend({ root: emptyRoot, forced: 'ostree' })).toMatchObject({ name: 'ostree' });
    expect(await detectOsBackend({ root: debRoot, forced: 'auto' })).toMatchObject({ name: 'apt' });
    expect(await code(detectOsBackend({ root: debRoot, forced: 'yum' }))).toBe('OS_UNKNOWN_BACKEND');
    const err = (() => {
      try {
        parseBackendName('dnf');
      } catch (e) {
        return e as KintsugiError;
      }
    })();
    expect(err?.detail).toBe('"dnf" is not an OS update backend; the backends are apt, ostree, rpm-ostree');
  });

  it('onPath skips relative PATH entries (they depend on the cwd)', async () => {
    expect(await onPath('rpm-ostree', `relative/bin:${binWith}`)).toBe(join(binWith, 'rpm-ostree'));
    expect(await onPath('rpm-ostree', 'relative/bin')).toBeUndefined();
  });
});
