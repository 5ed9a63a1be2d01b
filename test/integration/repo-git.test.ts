import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { quietContext } from '../../src/main/core/jobs/context';
import { toolkitCloneDir } from '../../src/main/core/layers/data-layout';
import { runJob } from '../../src/main/core/jobs/run-job';
import { reflogEntries } from '../../src/main/core/repo/rollback';
import { repoStatus } from '../../src/main/core/repo/status';
import type { Progress } from '../../src/shared/progress';
import type { JobRequest } from '../../src/shared/registry';
import type { MoveResult, PullPreview, PullResult } from '../../src/shared/repo/model';
import { cloneInto, g, makeToolkitRemote, type ToolkitRemote } from '../helpers/git-fixture';

// The repo layer against the real git: a bare remote in a temp folder, an author pushing to it, and the clone
// under <data>/repo/kintsugi-usb that the jobs work on. Every refusal also checks that nothing moved.

const roots: string[] = [];
let root: string;
let data: string;
let clone: string;
let remote: ToolkitRemote;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kintsugi-repo-'));
  roots.push(root);
  data = join(root, 'data');
  clone = toolkitCloneDir(data);
  remote = await makeToolkitRemote(root);
  await remote.commit('first docs', { 'docs/guide.md': 'v1\n', 'README.md': 'toolkit\n' });
});
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

const job = (req: JobRequest) => runJob(req, quietContext());
const status = () => repoStatus({ dataRoot: data, binDir: join(root, 'bin'), pathVar: '' });
const head = () => g(clone, ['rev-parse', 'HEAD']);
type Failure = { code: string; detail?: string };
async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    return { code: `NOT REFUSED: ${JSON.stringify(await p)}` };
  } catch (e) {
    return e as Failure;
  }
}
const pull = (extra: Partial<{ stash: boolean; moveLocalTo: string }> = {}) =>
  job({
    type: 'repo-pull',
    params: { dataRoot: data, meteredSetting: 'no', ...extra },
  }) as Promise<PullResult>;

describe('clone', () => {
  it('clones the remote into <data>/repo/kintsugi-usb, leaving no partial folder', async () => {
    expect((await status()).cloned).toBe(false);
    await job({ type: 'repo-clone', params: { dataRoot: data, remote: remote.bare, meteredSetting: 'no' } });
    const s = await status();
    expect(s).toMatchObject({
      cloned: true,
      branch: 'main',
      upstream: 'origin/main',
      head: { subject: 'first docs' },
    });
    expect(await readdir(join(data, 'repo'))).toEqual(['kintsugi-usb']);
  });

  it('refuses a non-empty folder in the way and an unreachable remote, leaving both as they were', async () => {
    await cloneInto(remote.bare, clone);
    await writeFile(join(clone, 'mine.txt'), 'keep me\n');
    const exists = await failure(
      job({ type: 'repo-clone', params: { dataRoot: data, remote: remote.bare, meteredSetting: 'no' } }),
    );
    expect(exists.code).toBe('REPO_EXISTS');
    expect(await readFile(join(clone, 'mine.txt'), 'utf8')).toBe('keep me\n');

    const other = join(root, 'other-data');
    const gone = await failure(
      job({
        type: 'repo-clone',
        params: { dataRoot: other, remote: join(root, 'no-such.git'), meteredSetting: 'no' },
      }),
    );
    expect(gone.code).toBe('REPO_REMOTE_UNREACHABLE');
    expect(gone.detail).toMatch(/no-such\.git/);
    expect(await readdir(join(other, 'repo'))).toEqual([]);
  });

  it('a metered network stops a clone before it starts unless the person said yes', async () => {
    const refused = await failure(
      job({ type: 'repo-clone', params: { dataRoot: data, remote: remote.bare, meteredSetting: 'yes' } }),
    );
    expect(refused.code).toBe('NETWORK_METERED');
    expect((await status()).cloned).toBe(false);
    await job({
      type: 'repo-clone',
      params: { dataRoot: data, remote: remote.bare, meteredSetting: 'yes', allowMetered: true },
    });
    expect((await status()).cloned).toBe(true);
  });
});

describe('status, check and pull', () => {
  it('a missing clone is REPO_NOT_CLONED for a pull, and an unreachable remote is said as such', async () => {
    expect((await failure(pull())).code).toBe('REPO_NOT_CLONED');
    await cloneInto(remote.bare, clone);
    await g(clone, ['remote', 'set-url', 'origin', join(root, 'moved-away.git')]);
    const r = await failure(job({ type: 'repo-check', params: { dataRoot: data, meteredSetting: 'no' } }));
    expect(r.code).toBe('REPO_REMOTE_UNREACHABLE');
    // Offline status still answers.
    expect((await status()).head?.subject).toBe('first docs');
  });

  it('status is offline (counts as of the last fetch); check fetches and previews; pull fast-forwards', async () => {
    await cloneInto(remote.bare, clone);
    await remote.commit('guide: chapter 2', { 'docs/guide.md': 'v2\n' });
    await remote.commit('add flash notes', { 'docs/flash.md': 'notes\n' });
    await remote.tag('v1.1');
    expect((await status()).behind).toBe(0); // nothing fetched yet: status did not touch the network

    const before = Date.now() - 2000;
    const progress: Progress[] = [];
    const pv = (await runJob(
      { type: 'repo-check', params: { dataRoot: data, meteredSetting: 'no' } },
      { ...quietContext(), progress: (p) => progress.push(p) },
    )) as PullPreview;
    // git's own --progress lines (the remote's counting, our receiving), read as items of a phase.
    const fetching = progress.filter((p) => p.kind === 'repo' && p.phase === 'fetch');
    expect(fetching.length).toBeGreaterThan(0);
    expect(fetching.at(-1)).toMatchObject({ items: fetching.at(-1)!.itemsTotal });
    expect(pv.behind).toBe(2);
    expect(pv.incoming.map((c) => c.subject)).toEqual(['add flash notes', 'guide: chapter 2']);
    expect(pv.files).toEqual([
      { status: 'A', path: 'docs/flash.md' },
      { status: 'M', path: 'docs/guide.md' },
    ]);
    expect(pv.fastForward).toBe(true);
    expect(pv.lastFetchAt).toBeGreaterThan(before);
    const s = await status();
    expect(s.behind).toBe(2);
    expect(s.lastFetchAt).toBe(pv.lastFetchAt);

    const r = await pull();
    expect(r.commits).toBe(2);
    expect(await readFile(join(clone, 'docs/guide.md'), 'utf8')).toBe('v2\n');
    expect((await status()).tag).toBe('v1.1');
    expect((await pull()).commits).toBe(0);
  });

  it('on divergence nothing moves and the local commits are named; --move-local-to keeps them on a branch', async () => {
    await cloneInto(remote.bare, clone);
    await remote.commit('upstream change', { 'docs/other.md': 'x\n' });
    await writeFile(join(clone, 'local.md'), 'mine\n');
    await g(clone, ['add', 'local.md']);
    await g(clone, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'my local note']);
    const mine = await head();

    const r = await failure(pull());
    expect(r.code).toBe('REPO_DIVERGED');
    expect(r.detail).toMatch(/1 local commit not on origin\/main: [0-9a-f]+ my local note/);
    expect(await head()).toBe(mine);
    expect((await status()).localCommits.map((c) => c.subject)).toEqual(['my local note']);

    const moved = await pull({ moveLocalTo: 'kept-local' });
    expect(moved.movedLocalTo).toBe('kept-local');
    expect(await g(clone, ['rev-parse', 'kept-local'])).toBe(mine);
    expect(await head()).toBe(await g(clone, ['rev-parse', 'origin/main']));
    expect((await status()).localCommits).toEqual([]);
  });

  it('uncommitted changes the pull would overwrite stop it, named; --stash keeps them in the stash', async () => {
    await cloneInto(remote.bare, clone);
    await remote.commit('guide v2', { 'docs/guide.md': 'v2\n' });
    await writeFile(join(clone, 'docs/guide.md'), 'my edit\n');
    await writeFile(join(clone, 'scratch.txt'), 'not in the way\n');
    const before = await head();

    const r = await failure(pull());
    expect(r.code).toBe('REPO_DIRTY_IN_WAY');
    expect(r.detail).toBe('the pull would overwrite uncommitted changes in: docs/guide.md');
    expect(await head()).toBe(before);
    expect(await readFile(join(clone, 'docs/guide.md'), 'utf8')).toBe('my edit\n');

    const ok = await pull({ stash: true });
    expect(ok).toMatchObject({ stashed: true, commits: 1 });
    expect(await readFile(join(clone, 'docs/guide.md'), 'utf8')).toBe('v2\n');
    expect(await g(clone, ['stash', 'list', '--format=%s'])).toMatch(/kintsugi: before pull/);
  });

  it('dirty files out of the way do not stop a pull and stay as they were', async () => {
    await cloneInto(remote.bare, clone);
    await remote.commit('guide v2', { 'docs/guide.md': 'v2\n' });
    await writeFile(join(clone, 'README.md'), 'edited readme\n');
    expect((await pull()).stashed).toBe(false);
    expect(await readFile(join(clone, 'README.md'), 'utf8')).toBe('edited readme\n');
    expect((await status()).dirty).toEqual([{ path: 'README.md', state: '.M' }]);
  });
});

describe('pin, unpin and rollback', () => {
  it('pins to a tag (detached), refuses a pull there, and unpins back to the branch with a pull', async () => {
    await remote.tag('v1.0');
    await cloneInto(remote.bare, clone);
    await remote.commit('after v1.0', { 'docs/guide.md': 'v2\n' });
    await job({ type: 'repo-check', params: { dataRoot: data, meteredSetting: 'no' } });

    const unknown = await failure(job({ type: 'repo-pin', params: { dataRoot: data, tag: 'v9.9' } }));
    expect(unknown).toMatchObject({
      code: 'REPO_REF_NOT_FOUND',
      detail: 'no tag v9.9 in the clone; tags: v1.0',
    });

    const pinned = (await job({ type: 'repo-pin', params: { dataRoot: data, tag: 'v1.0' } })) as MoveResult;
    expect(pinned).toMatchObject({ branch: null, tag: 'v1.0' });
    expect(await status()).toMatchObject({ branch: null, tag: 'v1.0', pinnedFrom: 'main' });
    expect((await failure(pull())).code).toBe('REPO_DETACHED');

    const back = (await job({
      type: 'repo-unpin',
      params: { dataRoot: data, meteredSetting: 'no' },
    })) as PullResult;
    expect(back.commits).toBe(1);
    expect(await status()).toMatchObject({ branch: 'main', head: { subject: 'after v1.0' } });
    expect((await status()).pinnedFrom).toBeUndefined();
  });

  it('rolls back to an earlier HEAD from the reflog; uncommitted work in the way needs DISCARD typed', async () => {
    await cloneInto(remote.bare, clone);
    const first = await head();
    await remote.commit('guide v2', { 'docs/guide.md': 'v2\n' });
    await pull();
    const entries = await reflogEntries(clone);
    expect(entries[0]).toMatchObject({
      selector: 'HEAD@{0}',
      action: expect.stringMatching(/^merge origin\/main: Fast-forward/),
    });
    expect(entries[1]).toMatchObject({ selector: 'HEAD@{1}', hash: first });

    await writeFile(join(clone, 'docs/guide.md'), 'unsaved edit\n');
    const rollback = (typed?: string) =>
      job({
        type: 'repo-rollback',
        params: { dataRoot: data, ref: 'HEAD@{1}', ...(typed ? { typed } : {}) },
      });
    const refused = await failure(rollback());
    expect(refused.code).toBe('REPO_DIRTY');
    expect(refused.detail).toMatch(/docs\/guide\.md; type DISCARD/);
    expect((await failure(rollback('discard'))).code).toBe('REPO_DIRTY');
    expect(await readFile(join(clone, 'docs/guide.md'), 'utf8')).toBe('unsaved edit\n');

    const done = (await rollback('DISCARD')) as MoveResult;
    expect(done).toMatchObject({ to: first, branch: 'main' });
    expect(await head()).toBe(first);
    expect((await status()).behind).toBe(1); // a later pull brings it forward again
  });

  it('a clean rollback needs no confirmation and keeps unrelated uncommitted changes', async () => {
    await cloneInto(remote.bare, clone);
    const first = await head();
    await remote.commit('guide v2', { 'docs/guide.md': 'v2\n' });
    await pull();
    await writeFile(join(clone, 'README.md'), 'edited readme\n');
    await job({ type: 'repo-rollback', params: { dataRoot: data, ref: first.slice(0, 12) } });
    expect(await head()).toBe(first);
    expect(await readFile(join(clone, 'README.md'), 'utf8')).toBe('edited readme\n');
  });

  it('refuses a commit HEAD has never been at', async () => {
    await cloneInto(remote.bare, clone);
    const future = await remote.commit('not fetched yet... then fetched', { 'x.md': 'x\n' });
    await job({ type: 'repo-check', params: { dataRoot: data, meteredSetting: 'no' } });
    const r = await failure(job({ type: 'repo-rollback', params: { dataRoot: data, ref: future } }));
    expect(r.code).toBe('REPO_REF_NOT_FOUND');
  });
});

describe('a clone owned by another user', () => {
  it('is refused as root, and a program its config names never runs', async () => {
    await cloneInto(remote.bare, clone);
    const planted = join(root, 'planted-ran');
    await g(clone, ['config', 'core.fsmonitor', `touch ${planted}; false`]);
    await execa('chown', ['-R', '4242:4242', clone]);
    const r = await failure(status());
    expect(r).toMatchObject({
      code: 'REPO_NOT_OWNED',
      detail: `${clone} belongs to uid 4242; this process runs as uid 0`,
    });
    expect((await failure(pull())).code).toBe('REPO_NOT_OWNED');
    await expect(stat(planted)).rejects.toThrow();
  });
});

describe('whatever the user git config says', () => {
  // core.abbrev=40 would make every "short" hash full length: a visible sign that a config leaked in.
  const hostile = async () => {
    await cloneInto(remote.bare, clone);
    await writeFile(join(clone, 'new-file.txt'), 'x\n');
    const home = join(root, 'home');
    await mkdir(join(home, '.config', 'git'), { recursive: true });
    await writeFile(join(home, '.gitconfig'), '[core]\n\tabbrev = 40\n');
    await writeFile(join(home, '.config', 'git', 'config'), '[core]\n\tabbrev = 40\n');
    return home;
  };
  async function withEnv(vars: Record<string, string>, fn: () => Promise<void>): Promise<void> {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    Object.assign(process.env, vars);
    try {
      await fn();
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  }

  it('ignores ~/.gitconfig and ~/.config/git/config, and a German locale', async () => {
    const home = await hostile();
    await withEnv(
      { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
      async () => {
        const s = await status();
        expect(s.head?.short.length).toBeLessThan(40);
        expect(s.dirty).toEqual([{ path: 'new-file.txt', state: '??' }]);
      },
    );
  });

  it('ignores config passed in the environment (GIT_CONFIG_COUNT / GIT_CONFIG_PARAMETERS)', async () => {
    await hostile();
    await withEnv(
      {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'core.abbrev',
        GIT_CONFIG_VALUE_0: '40',
        GIT_CONFIG_PARAMETERS: "'core.abbrev'='40'",
      },
      async () => {
        expect((await status()).head?.short.length).toBeLessThan(40);
      },
    );
  });
});
