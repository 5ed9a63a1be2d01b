import { createReadStream } from 'node:fs';
import { displayPath, toBytePath } from './byte-path';
import type { ChecksumPassResult } from './checksum-pass';
import { createIndexWriter, parseIndexLine, seenUnlessRacy, type IndexEntry } from './file-index';
import type { HashPool } from './hash-pool';
import { emptyPassResult, inOrder } from './pass-window';

// The checksum pass of a backup whose unchanged files the app linked itself (link-plan.ts): the plan, in the
// index's order, is turned into the index. A linked file's line is kept as the plan wrote it (no read: it is
// the previous backup's inode, its source unchanged since that backup verified it, and its checksum carried);
// every file left to rsync is read on both sides, the copy hashed and the source compared with it byte for byte
// (hash-pool.ts `compare`), and whether rsync linked it rather than writing it is noted (a stale link when the
// bytes differ: its ctime moved, size and mtime did not, so rsync's quick check linked the old bytes).

export interface ListedPassOptions {
  source: string;
  copy: string;
  /** The previous backup the plan linked from: a file rsync linked too is that inode. */
  previous: string;
  planPath: string;
  indexPath: string;
  pool: HashPool;
  signal: AbortSignal;
  onFile?: (bytes: number) => void;
  /** Tests only: the racily-changed window (file-index.ts RACY_WINDOW_MS). */
  racyWindowMs?: number;
}

/** A line left to read: the plan writes "hashed" only for those (inside a JSON string a quote is escaped, so
 * this text can only be the key and its value). */
const TO_READ = '"how":"hashed"';
/** An inherited line's size, the first "size" key (the entry's own; the source record's comes after it). */
const SIZE = /"size":(\d+)/;

type Outcome = { line?: string; entry?: IndexEntry; size: number; linked: boolean; problem?: string };

export async function listedPass(opts: ListedPassOptions): Promise<ChecksumPassResult> {
  const writer = await createIndexWriter(opts.indexPath);
  const source = toBytePath(opts.source);
  const copy = toBytePath(opts.copy);
  const previous = toBytePath(opts.previous);
  const r = emptyPassResult();

  const read = async (line: string): Promise<Outcome> => {
    const planned = parseIndexLine(line.slice(0, -1));
    if (!planned) throw new Error(`the backup's plan holds a line that is not a file entry: ${line}`);
    const { path } = planned;
    const readAt = Date.now();
    let c;
    try {
      c = await opts.pool.compare(
        `${source}/${path}`,
        `${copy}/${path}`,
        `${previous}/${path}`,
        planned.size,
      );
    } catch (err) {
      // Gone since the plan saw it (a live source): rsync said it vanished and copied nothing.
      if (!/^ENOENT/.test((err as Error).message)) throw err;
      return { entry: planned, size: planned.size, linked: false, problem: 'gone from the source' };
    }
    const { src: _planned, ...rest } = planned;
    const seen = planned.src && seenUnlessRacy(planned.src, readAt, opts.racyWindowMs);
    const entry: IndexEntry = { ...rest, size: c.size, sha256: c.sha256, ...(seen ? { src: seen } : {}) };
    const linked = c.linked === true;
    return c.equal
      ? { entry, size: c.size, linked }
      : { entry, size: c.size, linked, problem: 'content differs' };
  };
  const count = (o: Outcome): Promise<void> | undefined => {
    if (o.entry) {
      r.hashedFiles++;
      r.hashedBytes += o.size;
      if (!o.entry.src && !o.problem) r.racyFiles++;
    } else {
      r.inheritedFiles++;
      r.inheritedBytes += o.size;
    }
    if (o.linked) r.linkedBytes += o.size;
    else r.newBytes += o.size;
    if (o.problem) {
      r.mismatchCount++;
      const path = o.entry!.path;
      if (r.mismatches.length < 20) r.mismatches.push(`${displayPath(path)} (${o.problem})`);
      if (o.linked && o.problem === 'content differs') r.staleLinks.push(path);
    }
    opts.onFile?.(o.size);
    return o.entry ? writer.add(o.entry) : writer.addLine(o.line!);
  };

  // Outcomes are counted and written in plan order; up to PASS_WINDOW reads in flight meanwhile. An inherited
  // line is an outcome at once (no promise, no parse: most files of an unchanged backup).
  const outcomes = inOrder(count);
  try {
    let rest = '';
    // The plan is UTF-8 JSON lines (file-index.ts indexLine's own output): decoding a chunk at a time splits no
    // line that matters, as the last partial line is carried over (a multi-byte character is decoded by the stream).
    for await (const chunk of createReadStream(opts.planPath, {
      encoding: 'utf8',
      highWaterMark: 256 * 1024,
    })) {
      if (opts.signal.aborted) throw opts.signal.reason;
      const lines = (rest + (chunk as string)).split('\n');
      rest = lines.pop()!;
      for (const text of lines) {
        const line = `${text}\n`;
        await outcomes.add(
          line.includes(TO_READ) ? read(line) : { line, size: Number(SIZE.exec(line)![1]), linked: true },
        );
      }
    }
    if (rest !== '') throw new Error(`the backup's plan ends inside a line`);
    await outcomes.finish();
    r.index = await writer.close();
  } catch (err) {
    outcomes.clear();
    await writer.abort();
    throw err;
  }
  return r;
}
