import { meteredParams } from '../network/metered';
import { z } from 'zod';
import { domain, job, method, produced } from '../ipc/define';
import { absolutePath } from '../paths';
import type {
  CloneResult,
  LinkResult,
  MoveResult,
  NetworkState,
  PullPreview,
  PullResult,
  ReflogEntry,
  RepoStatus,
} from './model';

// Layer 1, the toolkit's docs & scripts: a git clone under <data>/repo/kintsugi-usb. Offline reads are methods;
// anything that fetches or moves HEAD is a job (progress, cancel, a log), git work on the utility host; linking
// into a root-owned bin folder is the one helper job, its authorizer re-checking every script itself.

/** A ref name as git accepts it, and never an option: no leading '-', no '..', no control characters. The core
 * asks `git check-ref-format` too; this is the boundary's own check. */
const refName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._/+-]*$/, 'letters, digits and . _ / + - only, not starting with - or .')
  .refine((s) => !s.includes('..') && !s.endsWith('.lock') && !s.endsWith('/'), 'is not a valid ref name');

/** An earlier HEAD: HEAD@{n} from the reflog, or a commit hash (7 to 40 hex digits). */
export const rollbackRef = z
  .string()
  .regex(
    /^(HEAD@\{\d{1,6}\}|[0-9a-f]{7,40})$/,
    'must be HEAD@{n} or a commit hash from `kintsugi repo rollback`',
  );

/** Where a clone may come from: https, ssh, git@host:path, file:// or a local absolute path. */
export const remoteUrl = z
  .string()
  .min(1)
  .max(2048)
  .refine(
    (s) =>
      !s.startsWith('-') &&
      !/[\0\s]/.test(s) &&
      (/^(https?|ssh|git|file):\/\//.test(s) ||
        /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/.test(s) ||
        s.startsWith('/')),
    'must be an https://, ssh://, git@host:path or file:// URL, or an absolute path',
  );

export interface Started {
  jobId: string;
}

/** The word typed to confirm losing uncommitted changes. */
export const DISCARD_WORD = 'DISCARD';

const dataRoot = { dataRoot: absolutePath };
/** Downloads ask first on a metered network: the caller passes the person's yes. */
const metered = meteredParams;

export const repoCheckParams = z.strictObject({ ...dataRoot, ...metered });
export const repoPullParams = z.strictObject({
  ...dataRoot,
  ...metered,
  /** Stash uncommitted changes that are in the way, then fast-forward. */
  stash: z.boolean().default(false),
  /** On divergence: keep the local commits on this new branch and follow the remote (typed by the person). */
  moveLocalTo: refName.optional(),
  /** The bin folder, to name scripts linked as copies that the pull made stale. */
  binDir: absolutePath.optional(),
});
export const repoPinParams = z.strictObject({ ...dataRoot, tag: refName });
export const repoUnpinParams = z.strictObject({ ...dataRoot, ...metered, binDir: absolutePath.optional() });
export const repoRollbackParams = z.strictObject({
  ...dataRoot,
  ref: rollbackRef,
  /** DISCARD_WORD, typed, when uncommitted changes would be lost. */
  typed: z.string().max(100).optional(),
});
export const repoCloneParams = z.strictObject({ ...dataRoot, ...metered, remote: remoteUrl });
export const repoLinkParams = z.strictObject({
  ...dataRoot,
  binDir: absolutePath,
  copy: z.boolean().default(false),
});
export type RepoLinkParams = z.output<typeof repoLinkParams>;

export const repoContract = domain({
  methods: {
    /** Offline: branch, HEAD, tag, ahead/behind as of the last fetch and when that was, dirty files, scripts. */
    status: method(z.tuple([]), produced<RepoStatus>()),
    /** Offline: what a pull would bring as of the last fetch. */
    preview: method(z.tuple([]), produced<PullPreview>()),
    /** Earlier HEADs to roll back to. */
    reflog: method(z.tuple([]), produced<ReflogEntry[]>()),
    network: method(z.tuple([]), produced<NetworkState>()),
    // Starters: main builds each job's params from its own settings (data root, bin folder, remote, metered), so
    // the page never names a path. Each returns the job's id; progress and the result come as job events.
    check: method(
      z.tuple([z.strictObject({ allowMetered: z.boolean().default(false) })]),
      produced<Started>(),
    ),
    pull: method(
      z.tuple([
        z.strictObject({
          allowMetered: z.boolean().default(false),
          stash: z.boolean().default(false),
          moveLocalTo: refName.optional(),
        }),
      ]),
      produced<Started>(),
    ),
    pin: method(z.tuple([z.strictObject({ tag: refName })]), produced<Started>()),
    unpin: method(
      z.tuple([z.strictObject({ allowMetered: z.boolean().default(false) })]),
      produced<Started>(),
    ),
    rollback: method(
      z.tuple([z.strictObject({ ref: rollbackRef, typed: z.string().max(100).optional() })]),
      produced<Started>(),
    ),
    clone: method(
      z.tuple([z.strictObject({ allowMetered: z.boolean().default(false) })]),
      produced<Started>(),
    ),
    link: method(z.tuple([z.strictObject({ copy: z.boolean().default(false) })]), produced<Started>()),
  },
  jobs: {
    'repo-check': job({
      title: 'Check the toolkit for updates',
      host: 'utility',
      params: repoCheckParams,
      result: produced<PullPreview>(),
    }),
    'repo-pull': job({
      title: 'Pull the toolkit (fast-forward)',
      host: 'utility',
      params: repoPullParams,
      result: produced<PullResult>(),
    }),
    'repo-pin': job({
      title: 'Pin the toolkit to a release',
      host: 'utility',
      params: repoPinParams,
      result: produced<MoveResult>(),
    }),
    'repo-unpin': job({
      title: 'Unpin the toolkit and pull',
      host: 'utility',
      params: repoUnpinParams,
      result: produced<PullResult>(),
    }),
    'repo-rollback': job({
      title: 'Roll the toolkit back',
      host: 'utility',
      params: repoRollbackParams,
      result: produced<MoveResult>(),
    }),
    'repo-clone': job({
      title: 'Clone the toolkit',
      host: 'utility',
      params: repoCloneParams,
      result: produced<CloneResult>(),
    }),
    'repo-link': job({
      title: 'Link the toolkit scripts',
      host: 'helper',
      params: repoLinkParams,
      result: produced<LinkResult>(),
    }),
  },
});
