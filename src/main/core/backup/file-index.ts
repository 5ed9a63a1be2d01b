import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';

// The per-file half of a manifest: one JSON line per regular file, in walk order (comparePaths), written beside
// the JSON head as "kintsugi-backup.files.ndjson". One line per file keeps a million-file tree streamable: it
// is written and read line by line, never held whole. The head records the sha256 of these exact bytes, so an
// edited line (a checksum changed to match damaged data) is seen before any line is trusted.

export const INDEX_NAME = 'kintsugi-backup.files.ndjson';

/** The source file as it was when its checksum was taken: unchanged since means the checksum still holds. */
export interface SourceSeen {
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
}

export interface IndexEntry {
  path: string;
  size: number;
  sha256: string;
  /** 'hashed': read and compared in this backup; 'inherited': hard-linked from linkDest, source unchanged. */
  how: 'hashed' | 'inherited';
  src?: SourceSeen;
}

// Checked by hand, not by a schema library: a line is parsed per file, a million times for a million files
// (a zod parse cost ~20 us a line, most of an unchanged backup's verify).
const DIGITS = /^\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const ENTRY_KEYS = new Set(['path', 'size', 'sha256', 'how', 'src']);
const SRC_KEYS = new Set(['size', 'mtimeNs', 'ctimeNs', 'ino']);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const onlyKeys = (o: object, keys: Set<string>) => Object.keys(o).every((k) => keys.has(k));
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function isSourceSeen(v: unknown): v is SourceSeen {
  return (
    isRecord(v) &&
    onlyKeys(v, SRC_KEYS) &&
    isCount(v['size']) &&
    ['mtimeNs', 'ctimeNs', 'ino'].every((k) => typeof v[k] === 'string' && DIGITS.test(v[k]))
  );
}

/** The entry a parsed line holds, or undefined when it is not exactly one. */
export function asIndexEntry(v: unknown): IndexEntry | undefined {
  if (!isRecord(v) || !onlyKeys(v, ENTRY_KEYS)) return undefined;
  const { path, size, sha256, how, src } = v;
  if (typeof path !== 'string' || path === '' || !isCount(size)) return undefined;
  if (typeof sha256 !== 'string' || !SHA256.test(sha256)) return undefined;
  if (how !== 'hashed' && how !== 'inherited') return undefined;
  if (src !== undefined && !isSourceSeen(src)) return undefined;
  return v as unknown as IndexEntry;
}

/** The order files are walked and listed in: component by component, so a folder's files stay together. */
export function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

export interface IndexWriter {
  add(entry: IndexEntry): Promise<void>;
  /** Flushes and fsyncs the file; returns the sha256 and line count of what was written. */
  close(): Promise<{ sha256: string; entries: number; bytes: number }>;
  /** Closes without syncing (after a failure). */
  abort(): Promise<void>;
}

/** Buffered writes (256 KiB), hashed as they are written; an ENOSPC surfaces from add() or close(). */
export async function createIndexWriter(path: string): Promise<IndexWriter> {
  const fh: FileHandle = await open(path, 'wx', 0o600);
  const hash: Hash = createHash('sha256');
  let pending: string[] = [];
  let pendingChars = 0;
  let entries = 0;
  let bytes = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const buf = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingChars = 0;
    hash.update(buf);
    bytes += buf.length;
    await fh.write(buf);
  };
  return {
    async add(entry) {
      pending.push(`${JSON.stringify(entry)}\n`);
      pendingChars += pending[pending.length - 1]!.length;
      entries++;
      if (pendingChars >= 256 * 1024) await flush();
    },
    async close() {
      try {
        await flush();
        await fh.sync();
      } finally {
        await fh.close();
      }
      return { sha256: hash.digest('hex'), entries, bytes };
    },
    async abort() {
      await fh.close().catch(() => {});
    },
  };
}

export class IndexDamaged extends Error {}

/**
 * Streams the entries of an index file. The sha256 of the bytes read is compared with `expectSha256` at the
 * end: a caller acts on entries as they come but must treat the whole pass as failed when this throws
 * IndexDamaged (a line that does not parse throws at once).
 */
export async function* readIndex(path: string, expectSha256?: string): AsyncGenerator<IndexEntry> {
  const hash = createHash('sha256');
  const stream = createReadStream(path);
  stream.on('data', (chunk) => hash.update(chunk as Buffer));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  let previous: string | undefined;
  for await (const line of lines) {
    n++;
    let entry: IndexEntry | undefined;
    try {
      entry = asIndexEntry(JSON.parse(line));
    } catch {
      entry = undefined;
    }
    if (!entry) throw new IndexDamaged(`line ${n} of ${path} is not a file entry`);
    if (previous !== undefined && comparePaths(previous, entry.path) >= 0)
      throw new IndexDamaged(`line ${n} of ${path} is out of order`);
    previous = entry.path;
    yield entry;
  }
  const got = hash.digest('hex');
  if (expectSha256 !== undefined && got !== expectSha256)
    throw new IndexDamaged(
      `${path} was changed after the backup was made (its sha256 is not the one recorded)`,
    );
}

/**
 * A cursor over an index in walk order, for a merge join with a walk: `find(path)` skips entries before path and
 * returns the one for path, if any. Bounded memory whatever the index size.
 */
export function indexCursor(entries: AsyncGenerator<IndexEntry> | undefined): {
  find(path: string): Promise<IndexEntry | undefined>;
  /** Reads the rest (so the whole-file checksum is checked) and ends the stream. */
  finish(): Promise<void>;
} {
  let head: IndexEntry | undefined;
  let done = entries === undefined;
  const next = async () => {
    const r = await entries!.next();
    if (r.done) done = true;
    head = r.done ? undefined : r.value;
  };
  return {
    async find(path) {
      if (!done && head === undefined) await next();
      while (!done && head && comparePaths(head.path, path) < 0) await next();
      return head && head.path === path ? head : undefined;
    },
    async finish() {
      while (!done) await next();
    },
  };
}
