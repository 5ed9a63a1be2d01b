import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';
import type { BackupManifest } from '../../../shared/model';
import { toBytePath, type BytePath } from './byte-path';
import { under, walkTree, type CopyFile } from './copy-walk';
import {
  IndexDamaged,
  createIndexWriter,
  indexCursor,
  readIndexBatches,
  sameSource,
  type IndexEntry,
} from './file-index';
import { streamedFilesFromList } from './files-from-list';
import type { HashPool, PlanFacts } from './hash-pool';
import { RESERVED_NAMES, indexOf } from './manifest';
import { formatBytes, isSparse } from './space';

// An incremental backup's first step, before rsync: one walk of the source beside the previous verified backup
// and its index (merge-joined in walk order). A file whose source is unchanged since that backup verified it
// (size, mtime, ctime and inode as its index records) and whose namesake there still shows this source's size,
// mode, owner and mtime is hard-linked into the new copy here, on the pool's workers, and carries its checksum
// ('inherited'). ctime moves with any change to a file's bytes or attributes (xattrs and ACLs included), so the
// link is the file as verified then. Everything else goes to rsync: the root, every folder and other entry (rsync
// sets their attributes), and the files it must copy (it may still link those by its own quick check: the verify
// reads them either way). This is rsync --link-dest's job done with a stricter test and without rsync's walk of
// both trees: an unchanged backup costs one walk of the source, links, and an rsync over the folders only.

/** A checksum to be filled in after the copy: in the plan, a 'hashed' line is a file still to read. */
export const PENDING_SHA256 = '0'.repeat(64);

export interface LinkPlan {
  /**
   * Scratch, in the index's format and order: one line per regular file of the source; 'inherited' was linked
   * now and carries the previous backup's checksum, 'hashed' is left to rsync and read after the copy.
   */
  planPath: string;
  /** Scratch: rsync's --files-from list (--from0): the root, every folder and other entry, the files to copy. */
  listPath: string;
  /** Every entry, the root included (what rsync's "Number of files" counts). */
  entries: number;
  /** Folders below the root. */
  dirs: number;
  files: number;
  bytes: number;
  linkedFiles: number;
  linkedBytes: number;
  copyFiles: number;
  copyBytes: number;
  /** Files with holes among the ones to copy: rsync then needs --sparse. */
  sparseFiles: number;
}

export interface LinkPlanOptions {
  source: string;
  copy: string;
  previous: { path: string; manifest: BackupManifest };
  pool: HashPool;
  signal: AbortSignal;
  /** Where the scratch files go: `${scratch}.plan` and `${scratch}.list` (beside the copy, never in it). */
  scratch: string;
}

/** Runs whose links are in flight at once: the workers link one folder while the next ones are planned. */
const LINKS_AHEAD = 8;

export async function planAndLink(opts: LinkPlanOptions): Promise<LinkPlan> {
  const prevIndex = indexOf(opts.previous);
  if (!prevIndex) throw new Error('a link plan needs a previous backup with per-file checksums');
  const plan: LinkPlan = {
    planPath: `${opts.scratch}.plan`,
    listPath: `${opts.scratch}.list`,
    entries: 0,
    dirs: -1, // the root is reported as a folder too
    files: 0,
    bytes: 0,
    linkedFiles: 0,
    linkedBytes: 0,
    copyFiles: 0,
    copyBytes: 0,
    sparseFiles: 0,
  };
  const cursor = indexCursor(readIndexBatches(prevIndex.path, prevIndex));
  const writer = await createIndexWriter(plan.planPath, { sync: false });
  const list = streamedFilesFromList();
  const listFile = createWriteStream(plan.listPath, { flags: 'wx', mode: 0o600 });
  const listWritten = new Promise<void>((resolve, reject) => {
    listFile.on('error', reject);
    listFile.on('finish', resolve);
  });
  listWritten.catch(() => undefined); // awaited after close; an error before that surfaces there
  list.feed(listFile);

  const source = toBytePath(opts.source);
  const prev = toBytePath(opts.previous.path);
  const copy = toBytePath(opts.copy);
  const files = walkTree<PlanFacts>(
    {
      folder: (rel) => opts.pool.plan(under(source, rel), under(prev, rel)),
      files: (rel, names) => opts.pool.planFiles(under(source, rel), under(prev, rel), names),
    },
    RESERVED_NAMES,
    opts.signal,
    {
      onOther(path, kind) {
        plan.entries++;
        if (kind === 'd') plan.dirs++;
        list.add(path);
      },
      // The plan reads the source alone: no entry can be on one side only.
      onProblem() {},
    },
  );

  type Pending = { run: Decided[]; refused: Promise<BytePath[]> };
  type Decided = { file: CopyFile<PlanFacts>; inherit?: IndexEntry };
  const pending: Pending[] = [];
  const settle = async ({ run, refused }: Pending) => {
    const no = new Set(await refused);
    for (const { file, inherit } of run) {
      const { path, facts } = file;
      const linked = inherit !== undefined && !no.has(facts.name);
      const entry: IndexEntry = {
        path,
        size: facts.size,
        sha256: linked ? inherit.sha256 : PENDING_SHA256,
        how: linked ? 'inherited' : 'hashed',
        src: facts.src,
      };
      plan.files++;
      plan.entries++;
      plan.bytes += facts.size;
      if (linked) {
        plan.linkedFiles++;
        plan.linkedBytes += facts.size;
      } else {
        plan.copyFiles++;
        plan.copyBytes += facts.size;
        if (isSparse({ size: facts.size, blocks: facts.blocks, isFile: () => true })) plan.sparseFiles++;
        list.add(path);
      }
      const w = writer.add(entry);
      if (w) await w;
    }
  };

  try {
    for await (const run of files) {
      if (opts.signal.aborted) throw opts.signal.reason;
      await cursor.ahead(run[0]!.path, run[run.length - 1]!.path);
      const decided: Decided[] = run.map((file) => {
        const e = cursor.take(file.path);
        const inherit =
          e?.src !== undefined &&
          file.facts.prevMatch &&
          e.size === file.facts.size &&
          sameSource(e.src, file.facts.src)
            ? e
            : undefined;
        return { file, inherit };
      });
      // A run is one folder's files (copy-walk.ts): one message links all of them.
      const toLink = decided.filter((d) => d.inherit).map((d) => d.file.facts.name);
      const rel = parentOf(run[0]!.path);
      const refused =
        toLink.length > 0 ? opts.pool.link(under(prev, rel), under(copy, rel), toLink) : Promise.resolve([]);
      refused.catch(() => undefined); // awaited in turn (settle); handled if the walk fails first
      pending.push({ run: decided, refused });
      if (pending.length > LINKS_AHEAD) await settle(pending.shift()!);
    }
    while (pending.length > 0) await settle(pending.shift()!);
    // The rest of the previous index is read, so its sha256, length and line count are checked: a checksum
    // carried from an index that was edited must not vouch for anything.
    await cursor.finish();
    await writer.close();
    await list.close();
    await listWritten;
  } catch (err) {
    await Promise.allSettled(pending.map((p) => p.refused)); // no link still being made once this returns
    await writer.abort();
    await list.abort();
    await removePlan(plan);
    if (err instanceof IndexDamaged)
      throw new KintsugiError(
        'BACKUP_FAILED',
        `the previous backup ${opts.previous.manifest.id}'s file list cannot be trusted (${err.message})`,
        {
          hint: `Run "kintsugi backup check ${opts.previous.path}", then back up with --full-verify, which reads every file and trusts no earlier checksum.`,
        },
      );
    throw err;
  }
  return plan;
}

/** Removes the plan's scratch files (at the end of the backup, or when it fails). */
export async function removePlan(plan: Pick<LinkPlan, 'planPath' | 'listPath'>): Promise<void> {
  await rm(plan.planPath, { force: true });
  await rm(plan.listPath, { force: true });
}

/** The folder of a relative byte path ('' for the root's files). */
function parentOf(path: BytePath): BytePath {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** For a log line: what the plan linked and what it left to rsync. */
export function describePlan(p: LinkPlan, previousId: string): string {
  return (
    `${p.linkedFiles} unchanged file(s) (${formatBytes(p.linkedBytes)}) linked from ${previousId}; ` +
    `${p.copyFiles} file(s) (${formatBytes(p.copyBytes)}) and ${p.dirs + 1} folder(s) left to rsync`
  );
}
