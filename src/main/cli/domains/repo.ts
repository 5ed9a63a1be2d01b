import { runAskingOnMetered } from '../metered-ask';
import { KintsugiError } from '../../../shared/errors';
import type { JobRequest } from '../../../shared/registry';
import { DISCARD_WORD, remoteUrl, repoPinParams, rollbackRef } from '../../../shared/repo/contract';
import type {
  CloneResult,
  LinkResult,
  MoveResult,
  PullPreview,
  PullResult,
} from '../../../shared/repo/model';
import { DEFAULT_BIN_DIR, DEFAULT_TOOLKIT_REMOTE } from '../../../shared/repo/remote';
import { toolkitCloneDir } from '../../core/layers/data-layout';
import {
  subcommand,
  type CliDomain,
  type DomainCommandContext,
  type SubcommandArgv,
} from '../domain-command';
import { linkText, previewText, pullText, reflogText, statusText } from './repo-text';
import { resolve } from 'node:path';

// `kintsugi repo ...`: the toolkit clone (layer 1) from the command line, over the same jobs the app runs.
// Downloads on a metered network ask first (at a terminal) or need --allow-metered; losing uncommitted changes
// needs DISCARD typed or --discard. Exit status: 0 ok; 1 failed, or (status, link) a script on PATH is not the
// clone's own; 2 bad arguments; 130 interrupted.

const bad = (detail: string) => new KintsugiError('INVALID_ARGUMENT', detail);
const str = (a: SubcommandArgv, k: string) =>
  typeof a.values[k] === 'string' ? (a.values[k] as string) : undefined;
const flag = (a: SubcommandArgv, k: string) => a.values[k] === true;

/** A value checked with the contract's own schema, so the CLI refuses what the job would, with the same words. */
function checked<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
  name: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw bad(`${name}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

async function settings(c: DomainCommandContext) {
  return (await c.services()).settings.load();
}

const notOnPathExit = (r: { scripts: { problem?: string }[]; scriptsProblem?: string }) =>
  r.scriptsProblem || r.scripts.some((s) => s.problem) ? 1 : 0;

const status = subcommand<null>({
  name: 'status',
  synopsis: 'status',
  summary: 'offline: HEAD, tag, behind/ahead as of the last check, dirty files, scripts',
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: () => null,
  async run(_i, c) {
    const s = await settings(c);
    const { repoStatus } = await import('../../core/repo/status');
    const r = await repoStatus({
      dataRoot: c.g.dataRoot,
      binDir: s.binDir ?? DEFAULT_BIN_DIR,
      pathVar: c.io.env['PATH'] ?? '',
    });
    return { result: r, human: statusText(r), exitCode: r.cloned ? notOnPathExit(r) : 1 };
  },
});

const check = subcommand<{ allowMetered: boolean }>({
  name: 'check',
  synopsis: 'check [--allow-metered]',
  summary: 'fetch (tags too); show the commits and files a pull would bring',
  options: { 'allow-metered': { type: 'boolean' } },
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: (a) => ({ allowMetered: flag(a, 'allow-metered') }),
  async run(i, c) {
    const s = await settings(c);
    const r = (await runAskingOnMetered(c, i.allowMetered, (allowMetered) => ({
      type: 'repo-check',
      params: { dataRoot: c.g.dataRoot, allowMetered, meteredSetting: s.metered ?? 'auto' },
    }))) as PullPreview;
    return { result: r, human: previewText(r) };
  },
});

const pull = subcommand<{ allowMetered: boolean; stash: boolean; moveLocalTo?: string; binDir?: string }>({
  name: 'pull',
  synopsis: 'pull [--stash] [--move-local-to BRANCH] [--allow-metered] [--bin-dir DIR]',
  summary: 'fast-forward only; on local commits or changes in the way, nothing moves',
  options: {
    'allow-metered': { type: 'boolean' },
    stash: { type: 'boolean' },
    'move-local-to': { type: 'string' },
    'bin-dir': { type: 'string' },
  },
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: (a) => {
    const moveLocalTo = str(a, 'move-local-to');
    const binDir = str(a, 'bin-dir');
    return {
      allowMetered: flag(a, 'allow-metered'),
      stash: flag(a, 'stash'),
      ...(moveLocalTo !== undefined
        ? { moveLocalTo: checked(repoPinParams.shape.tag, moveLocalTo, '--move-local-to') }
        : {}),
      ...(binDir !== undefined ? { binDir: resolve(a.cwd, binDir) } : {}),
    };
  },
  async run(i, c) {
    const s = await settings(c);
    const r = (await runAskingOnMetered(c, i.allowMetered, (allowMetered) => ({
      type: 'repo-pull',
      params: {
        dataRoot: c.g.dataRoot,
        allowMetered,
        meteredSetting: s.metered ?? 'auto',
        stash: i.stash,
        ...(i.moveLocalTo ? { moveLocalTo: i.moveLocalTo } : {}),
        binDir: i.binDir ?? s.binDir ?? DEFAULT_BIN_DIR,
      },
    }))) as PullResult;
    return { result: r, human: pullText(r) };
  },
});

const pin = subcommand<{ tag: string }>({
  name: 'pin',
  synopsis: 'pin TAG',
  summary: 'check out a release tag (detached HEAD is normal here)',
  arity: { min: 1, max: 1, names: 'TAG' },
  parse: (a) => ({ tag: checked(repoPinParams.shape.tag, a.args[0], 'TAG') }),
  async run(i, c) {
    const r = (await c.run({
      type: 'repo-pin',
      params: { dataRoot: c.g.dataRoot, tag: i.tag },
    })) as MoveResult;
    return {
      result: r,
      human: `Pinned to ${i.tag} (${r.to.slice(0, 10)}). Unpin with: kintsugi repo unpin\n`,
    };
  },
});

const unpin = subcommand<{ allowMetered: boolean }>({
  name: 'unpin',
  synopsis: 'unpin [--allow-metered]',
  summary: 'back to the branch the pin left, then pull',
  options: { 'allow-metered': { type: 'boolean' } },
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: (a) => ({ allowMetered: flag(a, 'allow-metered') }),
  async run(i, c) {
    const s = await settings(c);
    const r = (await runAskingOnMetered(c, i.allowMetered, (allowMetered) => ({
      type: 'repo-unpin',
      params: {
        dataRoot: c.g.dataRoot,
        allowMetered,
        meteredSetting: s.metered ?? 'auto',
        binDir: s.binDir ?? DEFAULT_BIN_DIR,
      },
    }))) as PullResult;
    return { result: r, human: `Unpinned. ${pullText(r)}` };
  },
});

const rollback = subcommand<{ ref?: string; discard: boolean }>({
  name: 'rollback',
  synopsis: 'rollback [REF] [--discard]',
  summary: 'no REF: list earlier HEADs; REF (HEAD@{n}, hash): go back there',
  options: { discard: { type: 'boolean' } },
  arity: { min: 0, max: 1, names: 'REF (or nothing to list them)' },
  parse: (a) => ({
    ...(a.args[0] !== undefined ? { ref: checked(rollbackRef, a.args[0], 'REF') } : {}),
    discard: flag(a, 'discard'),
  }),
  async run(i, c) {
    if (!i.ref) {
      const { reflogEntries } = await import('../../core/repo/rollback');
      const entries = await reflogEntries(toolkitCloneDir(c.g.dataRoot));
      return { result: entries, human: reflogText(entries) };
    }
    const req = (typed?: string): JobRequest => ({
      type: 'repo-rollback',
      params: { dataRoot: c.g.dataRoot, ref: i.ref!, ...(typed ? { typed } : {}) },
    });
    let r: MoveResult;
    try {
      r = (await c.run(req(i.discard ? DISCARD_WORD : undefined))) as MoveResult;
    } catch (err) {
      if (!(err instanceof KintsugiError) || err.code !== 'REPO_DIRTY' || !c.io.stdinIsTTY) throw err;
      c.io.stderr.write(`${err.detail ?? ''}\n`);
      const typed = await c.io.readLine(`Type ${DISCARD_WORD} to lose those changes: `);
      if (typed?.trim() !== DISCARD_WORD) throw err;
      r = (await c.run(req(DISCARD_WORD))) as MoveResult;
    }
    return {
      result: r,
      human: `Rolled back to ${r.to.slice(0, 10)}${r.branch ? ` (branch ${r.branch}; a pull brings it forward again)` : ''}\n`,
    };
  },
});

const clone = subcommand<{ remote?: string; allowMetered: boolean }>({
  name: 'clone',
  synopsis: 'clone [--remote URL] [--allow-metered]',
  summary: 'clone the toolkit when it is missing (remote: setting repoRemote)',
  options: { remote: { type: 'string' }, 'allow-metered': { type: 'boolean' } },
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: (a) => {
    const r = str(a, 'remote');
    return {
      allowMetered: flag(a, 'allow-metered'),
      ...(r !== undefined ? { remote: checked(remoteUrl, r, '--remote') } : {}),
    };
  },
  async run(i, c) {
    const s = await settings(c);
    const remote = i.remote ?? s.repoRemote ?? DEFAULT_TOOLKIT_REMOTE;
    const r = (await runAskingOnMetered(c, i.allowMetered, (allowMetered) => ({
      type: 'repo-clone',
      params: { dataRoot: c.g.dataRoot, allowMetered, meteredSetting: s.metered ?? 'auto', remote },
    }))) as CloneResult;
    return { result: r, human: `Cloned ${r.remote} into ${r.cloneDir}\n  next: kintsugi repo link\n` };
  },
});

const link = subcommand<{ copy: boolean; binDir?: string }>({
  name: 'link',
  synopsis: 'link [--copy] [--bin-dir DIR]',
  summary: 'scripts into the bin folder (default /usr/local/bin), then check PATH',
  options: { copy: { type: 'boolean' }, 'bin-dir': { type: 'string' } },
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: (a) => {
    const binDir = str(a, 'bin-dir');
    return { copy: flag(a, 'copy'), ...(binDir !== undefined ? { binDir: resolve(a.cwd, binDir) } : {}) };
  },
  async run(i, c) {
    const s = await settings(c);
    let params = { dataRoot: c.g.dataRoot, binDir: i.binDir ?? s.binDir ?? DEFAULT_BIN_DIR, copy: i.copy };
    // As root (sudo), the same checks the helper makes for the app: scripts the invoking user could not have
    // changed, nothing outside the clone.
    if (c.io.getuid() === 0) {
      const sudoUid = Number(c.io.env['SUDO_UID']);
      const { checkLinkRequest } = await import('../../core/repo/link-request-check');
      params = await checkLinkRequest(params, Number.isInteger(sudoUid) ? sudoUid : 0);
    }
    const r = (await c.run({ type: 'repo-link', params })) as LinkResult;
    return { result: r, human: linkText(r), exitCode: r.skipped.length || notOnPathExit(r) ? 1 : 0 };
  },
});

export const repoDomain: CliDomain = {
  name: 'repo',
  summary:
    'Docs & scripts, the toolkit clone under <data>/repo/kintsugi-usb (exit 1 also when status or link\n' +
    'finds a script on PATH that is not the clone’s; --discard, or DISCARD typed, loses changes in the way)',
  defaultSubcommand: 'status',
  subcommands: [status, check, pull, pin, unpin, rollback, clone, link],
};
