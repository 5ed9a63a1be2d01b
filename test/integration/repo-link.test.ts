import { execa } from 'execa';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { quietContext } from '../../src/main/core/jobs/context';
import { toolkitCloneDir, toolkitScriptsDir } from '../../src/main/core/layers/data-layout';
import { linkScripts } from '../../src/main/core/repo/link';
import { repoStatus, scriptStates } from '../../src/main/core/repo/status';
import { runJob } from '../../src/main/core/jobs/run-job';
import { checkLinkRequest } from '../../src/main/core/repo/link-request-check';
import type { PullResult } from '../../src/shared/repo/model';
import { cloneInto, makeToolkitRemote, type ToolkitRemote } from '../helpers/git-fixture';

// `repo link` on a real clone with a bin folder under a temp dir: symlinks and copies, which name PATH finds
// first, stale copies after a pull, a name someone else owns, and the helper's own re-check of every script.

const roots: string[] = [];
let root: string;
let data: string;
let bin: string;
let scripts: string;
let remote: ToolkitRemote;
const HELLO = '#!/bin/sh\necho hello v1\n';

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kintsugi-link-'));
  roots.push(root);
  data = join(root, 'data');
  bin = join(root, 'bin');
  await mkdir(bin);
  remote = await makeToolkitRemote(root);
  await remote.commit(
    'scripts',
    {
      'scripts/usb-toolkit/kt-hello': HELLO,
      'scripts/usb-toolkit/kt-mount': '#!/bin/sh\necho mount\n',
      'scripts/usb-toolkit/README.md': 'not a script\n',
    },
    { executable: ['scripts/usb-toolkit/kt-hello', 'scripts/usb-toolkit/kt-mount'] },
  );
  await cloneInto(remote.bare, toolkitCloneDir(data));
  scripts = toolkitScriptsDir(data);
});
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

const link = (copy = false, pathVar = bin) =>
  linkScripts({ dataRoot: data, binDir: bin, copy, pathVar }, quietContext());
type Failure = { code: string; detail?: string };
async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    return { code: `NOT REFUSED: ${JSON.stringify(await p)}` };
  } catch (e) {
    return e as Failure;
  }
}

describe('link', () => {
  it('symlinks each executable script (not the README) and PATH finds the clone’s file', async () => {
    const r = await link();
    expect(r.linked).toEqual(['kt-hello', 'kt-mount']);
    expect(await readlink(join(bin, 'kt-hello'))).toBe(join(scripts, 'kt-hello'));
    await expect(lstat(join(bin, 'README.md'))).rejects.toThrow();
    expect(r.scripts.map((s) => [s.name, s.inBinDir, s.resolvesToClone])).toEqual([
      ['kt-hello', 'symlink', true],
      ['kt-mount', 'symlink', true],
    ]);
  });

  it('says plainly when another file earlier on PATH shadows the linked script', async () => {
    await link();
    const early = join(root, 'early');
    await mkdir(early);
    await writeFile(join(early, 'kt-hello'), '#!/bin/sh\necho old copy\n', { mode: 0o755 });
    const [hello, mount] = await scriptStates(data, bin, `${early}:${bin}`);
    expect(hello).toMatchObject({ resolvesToClone: false, foundOnPath: join(early, 'kt-hello') });
    expect(hello!.problem).toMatch(
      new RegExp(`${early}/kt-hello comes first on PATH and is not the clone's script`),
    );
    expect(mount).toMatchObject({ resolvesToClone: true });
    expect(mount!.problem).toBeUndefined();
    // A name not on PATH at all is said too.
    expect((await scriptStates(data, bin, early))[1]!.problem).toMatch(/not found on PATH: is .* on PATH\?/);
  });

  it('copies on request; after a pull that changes a script, status and the pull name the stale copy', async () => {
    await link(true);
    expect((await lstat(join(bin, 'kt-hello'))).isFile()).toBe(true);
    expect((await scriptStates(data, bin, bin))[0]).toMatchObject({
      inBinDir: 'copy-current',
      resolvesToClone: true,
    });

    await remote.commit(
      'hello v2',
      { 'scripts/usb-toolkit/kt-hello': '#!/bin/sh\necho hello v2\n' },
      {
        executable: ['scripts/usb-toolkit/kt-hello'],
      },
    );
    const pulled = (await runJob(
      { type: 'repo-pull', params: { dataRoot: data, meteredSetting: 'no', binDir: bin } },
      quietContext(),
    )) as PullResult;
    expect(pulled.staleCopies).toEqual(['kt-hello']);
    const [hello] = await scriptStates(data, bin, bin);
    expect(hello).toMatchObject({ inBinDir: 'copy-stale', resolvesToClone: false });
    expect(hello!.problem).toMatch(/older than the clone's script .*link again/);

    // Linking again replaces our own stale copy.
    const again = await link(true);
    expect(again.linked).toContain('kt-hello');
    expect(await readFile(join(bin, 'kt-hello'), 'utf8')).toBe('#!/bin/sh\necho hello v2\n');
  });

  it('leaves a file of the same name that Kintsugi did not put there, and says so', async () => {
    await writeFile(join(bin, 'kt-hello'), '#!/bin/sh\necho somebody else\n', { mode: 0o755 });
    const r = await link();
    expect(r.skipped).toEqual([
      { name: 'kt-hello', reason: `${bin}/kt-hello is another file, not one Kintsugi put there` },
    ]);
    expect(await readFile(join(bin, 'kt-hello'), 'utf8')).toBe('#!/bin/sh\necho somebody else\n');
    expect(r.linked).toEqual(['kt-mount']);
  });

  it('refuses a bin folder that does not exist, and a missing clone', async () => {
    const gone = await failure(
      linkScripts({ dataRoot: data, binDir: join(root, 'nope'), copy: false, pathVar: '' }, quietContext()),
    );
    expect(gone).toMatchObject({
      code: 'LINK_BIN_DIR_NOT_WRITABLE',
      detail: `${join(root, 'nope')} does not exist or is not a directory`,
    });
    const noClone = await failure(
      linkScripts({ dataRoot: join(root, 'empty'), binDir: bin, copy: false, pathVar: '' }, quietContext()),
    );
    expect(noClone.code).toBe('REPO_NOT_CLONED');
  });
});

describe('status and a script the link checks refuse', () => {
  it('says why instead of listing no scripts', async () => {
    await chmod(join(scripts, 'kt-mount'), 0o777);
    const s = await repoStatus({ dataRoot: data, binDir: bin, pathVar: bin });
    expect(s.scripts).toEqual([]);
    expect(s.scriptsProblem).toMatch(/kt-mount is writable by group or others .*chmod go-w/);
  });
});

describe('a bin folder on a read-only filesystem', () => {
  // Root may write any folder by permission; what stops root is a read-only mount: a real tmpfs, mounted ro.
  it('is LINK_BIN_DIR_NOT_WRITABLE, with the way out, and nothing is written', async () => {
    const ro = join(root, 'ro-bin');
    await mkdir(ro);
    await execa('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'kintsugi-test-ro', ro]);
    try {
      const r = await failure(
        linkScripts({ dataRoot: data, binDir: ro, copy: false, pathVar: '' }, quietContext()),
      );
      expect(r).toMatchObject({
        code: 'LINK_BIN_DIR_NOT_WRITABLE',
        detail: `${ro} is not writable by this user`,
      });
      expect((r as unknown as { hint: string }).hint).toMatch(/sudo|--bin-dir/);
      expect(await readdir(ro)).toEqual([]);
    } finally {
      await execa('umount', [ro]);
    }
  });
});

describe('the helper re-checks repo-link itself', () => {
  const authorize = (binDir = bin, uid = 0) => checkLinkRequest({ dataRoot: data, binDir, copy: false }, uid);

  it('passes a sound request, with real paths', async () => {
    const viaLink = join(root, 'bin-link');
    await symlink(bin, viaLink);
    expect(await authorize(viaLink)).toEqual({ dataRoot: data, binDir: bin, copy: false });
  });

  it('refuses a script writable by others, a script that is a symlink, and a script owned by someone else', async () => {
    await chmod(join(scripts, 'kt-hello'), 0o775);
    expect((await failure(authorize())).code).toBe('LINK_TARGET_REFUSED');
    await chmod(join(scripts, 'kt-hello'), 0o755);

    await symlink('/bin/sh', join(scripts, 'kt-shell'));
    const sym = await failure(authorize());
    expect(sym).toMatchObject({
      code: 'LINK_TARGET_REFUSED',
      detail: expect.stringMatching(/kt-shell is a symlink/),
    });
    await rm(join(scripts, 'kt-shell'));

    await chown(join(scripts, 'kt-mount'), 4242, 4242);
    const other = await failure(authorize(bin, 1000));
    expect(other).toMatchObject({
      code: 'LINK_TARGET_REFUSED',
      detail: expect.stringMatching(/kt-mount belongs to uid 4242/),
    });
  });

  it('refuses a bin folder inside the clone, or owned by another user', async () => {
    expect((await failure(authorize(scripts))).code).toBe('INVALID_ARGUMENT');
    await chown(bin, 4242, 4242);
    const r = await failure(authorize(bin, 1000));
    expect(r).toMatchObject({
      code: 'LINK_BIN_DIR_NOT_WRITABLE',
      detail: expect.stringMatching(/belongs to uid 4242/),
    });
  });
});
