import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { displayPath, fsPath, toBytePath, utf8Text, type BytePath } from './byte-path';

// The per-file half of a manifest: one JSON line per regular file, in walk order (comparePaths), written beside
// the JSON head as "kintsugi-backup.files.ndjson". One line per file keeps a million-file tree streamable: it
// is written and read line by line, never held whole. The head records the sha256 of these exact bytes, so an
// edited line (a checksum changed to match damaged data) is seen before any line is trusted.
// A file's name is kept losslessly: "path" holds it as text when its bytes are valid UTF-8, "pathBytes" holds
// the bytes in base64 when they are not (Linux names are bytes: byte-path.ts). In memory it is a byte path.

export const INDEX_NAME = 'kintsugi-backup.files.ndjson';

/** The source file as it was when its checksum was taken: unchanged since means the checksum still holds. */
export interface SourceSeen {
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
}

/**
 * A file changed shortly before it was read may change again within the same tick of its filesystem's clock
 * (ext4 stamps with a clock that moves every few ms, FAT in 2 s steps), after the read, and keep the same size,
 * mtime and ctime: recorded, those would let the next backup inherit a checksum of bytes that are gone (git's
 * "racily clean" entries). So a file whose ctime is within this window of its read is recorded without its
 * source (`src`), and the next backup reads it again.
 */
export const RACY_WINDOW_MS = 3000;

/** The source as seen, or undefined when it changed within `windowMs` of `readAtMs` (see RACY_WINDOW_MS). */
export function seenUnlessRacy(
  src: SourceSeen,
  readAtMs: number,
  windowMs = RACY_WINDOW_MS,
): SourceSeen | undefined {
  return BigInt(src.ctimeNs) > BigInt(Math.floor(readAtMs - windowMs)) * 1_000_000n ? undefined : src;
}

/** The rule for "the source is unchanged since its checksum was taken": all four equal. */
export function sameSource(a: SourceSeen, b: SourceSeen): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}

export interface IndexEntry {
  /** The file's path below the backup's root, as bytes (byte-path.ts). */
  path: BytePath;
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
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ENTRY_KEYS = new Set(['path', 'pathBytes', 'size', 'sha256', 'how', 'src']);
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

/** The entry a parsed line holds (its name as a byte path), or undefined when it is not exactly one. */
export function asIndexEntry(v: unknown): IndexEntry | undefined {
  if (!isRecord(v) || !onlyKeys(v, ENTRY_KEYS)) return undefined;
  const { size, sha256, how, src } = v;
  const path = entryPath(v['path'], v['pathBytes']);
  if (path === undefined || !isCount(size)) return undefined;
  if (typeof sha256 !== 'string' || !SHA256.test(sha256)) return undefined;
  if (how !== 'hashed' && how !== 'inherited') return undefined;
  if (src !== undefined && !isSourceSeen(src)) return undefined;
  const entry: IndexEntry = { path, size, sha256, how };
  if (src !== undefined) entry.src = src;
  return entry;
}

/** Exactly one of the two name fields: text, or base64 bytes that are not valid UTF-8 (else it would be text). */
function entryPath(text: unknown, b64: unknown): BytePath | undefined {
  if (text !== undefined)
    return typeof text === 'string' && text !== '' && b64 === undefined ? toBytePath(text) : undefined;
  if (typeof b64 !== 'string' || b64 === '' || !BASE64.test(b64)) return undefined;
  const path = Buffer.from(b64, 'base64').toString('latin1');
  return utf8Text(path) === undefined ? path : undefined;
}

// A line exactly as indexLine writes it, with a text name: read by one regular expression instead of JSON.parse
// and asIndexEntry (most of reading an index on a cold start). What it accepts, it reads as they would; any
// other line (a base64 name, other spacing or key order, an older writer) takes their way.
const WRITTEN =
  // eslint-disable-next-line no-control-regex
  /^\{"path":"((?:[^"\\\x00-\x1f]|\\["\\/bfnrtu])+)","size":(0|[1-9]\d*),"sha256":"([0-9a-f]{64})","how":"(hashed|inherited)"(?:,"src":\{"size":(0|[1-9]\d*),"mtimeNs":"(\d+)","ctimeNs":"(\d+)","ino":"(\d+)"\})?\}$/;

/** The entry one index line holds, or undefined when it is not exactly one (asIndexEntry's rules). */
export function parseIndexLine(line: string): IndexEntry | undefined {
  try {
    const m = WRITTEN.exec(line);
    if (m) {
      const text = m[1]!.includes('\\') ? (JSON.parse(`"${m[1]!}"`) as string) : m[1]!;
      const size = Number(m[2]);
      if (Number.isSafeInteger(size) && (m[5] === undefined || Number.isSafeInteger(Number(m[5])))) {
        const entry: IndexEntry = {
          path: toBytePath(text),
          size,
          sha256: m[3]!,
          how: m[4] as IndexEntry['how'],
        };
        if (m[5] !== undefined)
          entry.src = { size: Number(m[5]), mtimeNs: m[6]!, ctimeNs: m[7]!, ino: m[8]! };
        return entry;
      }
    }
    return asIndexEntry(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/**
 * One index line for an entry: its name as text when that is lossless, as base64 bytes when not. Put together
 * by hand, not by JSON.stringify of a spread copy (that was the verify's costliest line per file, ~10 us on a
 * cold start): the same JSON, the same key order. Only the name needs escaping; the other fields are checked
 * to be what the format allows, so a line this writes always reads back (asIndexEntry).
 */
export function indexLine(entry: IndexEntry): string {
  const { path, size, sha256, how, src } = entry;
  if (!isCount(size) || !SHA256.test(sha256) || (how !== 'hashed' && how !== 'inherited'))
    throw new Error(`not an index entry: ${displayPath(path)}`);
  const text = utf8Text(path);
  const name =
    text !== undefined
      ? `"path":${JSON.stringify(text)}`
      : `"pathBytes":"${fsPath(path).toString('base64')}"`;
  let seen = '';
  if (src !== undefined) {
    if (!isSourceSeen(src)) throw new Error(`not a source record: ${displayPath(path)}`);
    seen = `,"src":{"size":${src.size},"mtimeNs":"${src.mtimeNs}","ctimeNs":"${src.ctimeNs}","ino":"${src.ino}"}`;
  }
  return `{${name},"size":${size},"sha256":"${sha256}","how":"${how}"${seen}}\n`;
}

/**
 * The order files are walked and listed in: component by component, so a folder's files stay together; names
 * compare by their bytes (byte paths: one char per byte).
 */
export function comparePaths(a: string, b: string): number {
  // Component by component is byte order with '/' below every other byte (a component that is a prefix of
  // another, or a path with fewer components, sorts first): one pass over the chars, no split. It runs several
  // times per file (the index's order check, the merge with the walk).
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x === SLASH ? -1 : y === SLASH ? 1 : x < y ? -1 : 1;
  }
  return a.length - b.length;
}
const SLASH = 0x2f;

export interface IndexWriter {
  /** Buffers the entry's line; a promise only when the buffer was full and is being written (await it). */
  add(entry: IndexEntry): Promise<void> | undefined;
  /** As add, for a line indexLine wrote (read back from a file of ours, newline included): kept as it is. */
  addLine(line: string): Promise<void> | undefined;
  /** Flushes and fsyncs the file; returns the sha256 and line count of what was written. */
  close(): Promise<{ sha256: string; entries: number; bytes: number }>;
  /** Closes without syncing (after a failure). */
  abort(): Promise<void>;
}

/**
 * Buffered writes (256 KiB), hashed as they are written; an ENOSPC surfaces from add() or close(). `sync: false`
 * for a scratch file that never outlives the run (the link plan): no fsync at close.
 */
export async function createIndexWriter(
  path: string,
  { sync = true }: { sync?: boolean } = {},
): Promise<IndexWriter> {
  const fh: FileHandle = await open(path, 'wx', 0o600);
  const hash: Hash = createHash('sha256');
  let pending: string[] = [];
  let pendingChars = 0;
  let entries = 0;
  let bytes = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    // indexLine's text is JSON: every name in it is valid UTF-8 (or base64), so this encoding is lossless.
    const buf = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingChars = 0;
    hash.update(buf);
    bytes += buf.length;
    await fh.write(buf);
  };
  const addLine = (line: string) => {
    pending.push(line);
    pendingChars += line.length;
    entries++;
    return pendingChars >= 256 * 1024 ? flush() : undefined;
  };
  return {
    add: (entry) => addLine(indexLine(entry)),
    addLine,
    async close() {
      try {
        await flush();
        if (sync) await fh.sync();
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

/** What a manifest's head records of its index: checked against the file as it is read. */
export interface IndexExpect {
  sha256: string;
  entries: number;
  bytes: number;
}

/**
 * Streams the entries of an index file. The sha256, length and line count of what was read are compared with
 * the head's record at the end: a caller acts on entries as they come but must treat the whole pass as failed
 * when this throws IndexDamaged (a line that does not parse, or is out of order, throws at once).
 */
export async function* readIndex(path: string, expect?: IndexExpect): AsyncGenerator<IndexEntry> {
  for await (const batch of readIndexBatches(path, expect)) yield* batch;
}

/**
 * readIndex a chunk of lines at a time (what one 256 KiB read holds): a reader that merges the index with a
 * walk (indexCursor) then pays one await per chunk, not per line (readline's per-line promise was most of
 * reading a 3,000-line index). The same checks, in the same order.
 */
export async function* readIndexBatches(path: string, expect?: IndexExpect): AsyncGenerator<IndexEntry[]> {
  const hash = createHash('sha256');
  let bytes = 0;
  let n = 0;
  let previous: string | undefined;
  let rest: Buffer = Buffer.alloc(0);
  const parse = (line: string): IndexEntry => {
    n++;
    const entry = parseIndexLine(line);
    if (!entry) throw new IndexDamaged(`line ${n} of ${path} is not a file entry`);
    if (previous !== undefined && comparePaths(previous, entry.path) >= 0)
      throw new IndexDamaged(`line ${n} of ${path} (${displayPath(entry.path)}) is out of order`);
    previous = entry.path;
    return entry;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const buf = chunk as Buffer;
    hash.update(buf);
    bytes += buf.length;
    const data = rest.length > 0 ? Buffer.concat([rest, buf]) : buf;
    const batch: IndexEntry[] = [];
    let start = 0;
    for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
      batch.push(parse(data.toString('utf8', start, nl)));
      start = nl + 1;
    }
    rest = data.subarray(start);
    if (batch.length > 0) yield batch;
  }
  if (rest.length > 0) yield [parse(rest.toString('utf8'))]; // a last line without its newline
  if (!expect) return;
  if (hash.digest('hex') !== expect.sha256 || bytes !== expect.bytes || n !== expect.entries)
    throw new IndexDamaged(
      `${path} was changed after the backup was made (its sha256, length or line count is not the one recorded)`,
    );
}
const NEWLINE = 0x0a;

/**
 * A cursor over an index in walk order, for a merge join with a walk that comes in runs of paths: `ahead(first,
 * last)` reads the index up to past `last` (dropping what sorts before `first`), then `take(path)` answers for
 * each path of the run, in order, without waiting. Bounded memory whatever the index size: what is held is
 * the run's range of the index and one chunk.
 */
export interface IndexCursor {
  ahead(first: string, last: string): Promise<void>;
  /** The entry for path, if the index has one; paths are asked for in walk order. */
  take(path: string): IndexEntry | undefined;
  /** Reads the rest (so the whole-file checksum is checked) and ends the stream. */
  finish(): Promise<void>;
}

export function indexCursor(batches: AsyncGenerator<IndexEntry[]> | undefined): IndexCursor {
  let held: IndexEntry[] = [];
  let at = 0;
  let done = batches === undefined;
  const more = async (first: string) => {
    const r = await batches!.next();
    if (r.done) {
      done = true;
      return;
    }
    const rest = held.slice(at).concat(r.value);
    let skip = 0;
    while (skip < rest.length && comparePaths(rest[skip]!.path, first) < 0) skip++;
    [held, at] = [rest.slice(skip), 0];
  };
  return {
    async ahead(first, last) {
      while (at < held.length && comparePaths(held[at]!.path, first) < 0) at++;
      while (!done && (at >= held.length || comparePaths(held[held.length - 1]!.path, last) < 0))
        await more(first);
    },
    take(path) {
      while (at < held.length && comparePaths(held[at]!.path, path) < 0) at++;
      const e = held[at];
      return e !== undefined && e.path === path ? e : undefined;
    },
    async finish() {
      while (!done) {
        held = [];
        at = 0;
        await more('');
      }
    },
  };
}
