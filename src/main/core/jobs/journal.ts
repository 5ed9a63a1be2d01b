import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobRecord } from '../../../shared/jobs/record';
import { writeFileAtomic } from '../util/atomic-write';
import { jobIdTime } from './job-id';
import { redactText, redactValue } from './redact';

// The job journal: one record (<id>.json, written atomically) and one log file (<id>.log) per job, under the
// app's state folder. A record says what ran with which parameters, how far it got and how it ended (the error
// with its cause chain and stack); after a crash, records still marked running are the interrupted jobs.
// A running job also has an empty <id>.running beside its record, made before its first record and removed after
// its last: at start-up only those records are read (every CLI command starts this way, and reading all 200 kept
// records cost ~70 ms). A folder written before the markers existed is scanned whole once, then stamped.
// Logs rotate: a log over maxLogBytes moves to <id>.log.1 (one generation kept), and only the newest `keep`
// finished jobs keep their files: the prune after each job orders them by their ids, which carry the job's start
// time (job-id.ts), instead of reading every record. Nothing secret is written (redact.ts).

export interface JournalOptions {
  keep?: number;
  maxLogBytes?: number;
}

const ID = /^[A-Za-z0-9._:-]{1,100}$/;
const RUNNING = '.running';
/** Present once the folder's running jobs are all marked (see the header). */
const MARKED_STAMP = 'running-markers';

export class JobJournal {
  private readonly keep: number;
  private readonly maxLogBytes: number;
  /** Appends per job, in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly logSizes = new Map<string, number>();
  /** Jobs this process has marked running (the marker need not be made again at each progress record). */
  private readonly marked = new Set<string>();
  /** The prunes started so far, one after another. */
  private pruning: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    opts: JournalOptions = {},
  ) {
    this.keep = opts.keep ?? 200;
    this.maxLogBytes = opts.maxLogBytes ?? 2 * 1024 * 1024;
  }

  recordPath = (id: string) => join(this.dir, `${checkId(id)}.json`);
  logPath = (id: string) => join(this.dir, `${checkId(id)}.log`);
  private markerPath = (id: string) => join(this.dir, `${checkId(id)}${RUNNING}`);

  async write(record: JobRecord & { stack?: string }): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const safe = { ...record, params: redactValue(record.params) } as JobRecord & { stack?: string };
    if (safe.error) safe.error = redactValue(safe.error) as JobRecord['error'];
    if (safe.stack) safe.stack = redactText(safe.stack);
    await this.queue(record.id, async () => {
      const running = record.state === 'running';
      // Made before the record: the record's durable write (its folder synced) makes the marker durable too.
      if (running && !this.marked.has(record.id)) {
        await (await open(this.markerPath(record.id), 'w')).close();
        this.marked.add(record.id);
      }
      await writeFileAtomic(this.recordPath(record.id), JSON.stringify(safe, null, 2) + '\n');
      // Removed after: a crash in between leaves a marker whose record is not running, which recovery clears.
      if (!running) {
        await rm(this.markerPath(record.id), { force: true });
        this.marked.delete(record.id);
      }
    });
  }

  /** Appends one line (timestamped, redacted) to the job's log. Never throws: a log must not fail a job. */
  log(id: string, line: string, at = new Date()): Promise<void> {
    const text = `${at.toISOString()} ${redactText(line).replace(/\r?\n/g, '\n    ')}\n`;
    return this.queue(id, async () => {
      await mkdir(this.dir, { recursive: true });
      const path = this.logPath(id);
      let size =
        this.logSizes.get(id) ??
        (await stat(path)
          .then((s) => s.size)
          .catch(() => 0));
      if (size + text.length > this.maxLogBytes) {
        await rename(path, `${path}.1`).catch(() => undefined);
        size = 0;
      }
      await appendFile(path, text);
      this.logSizes.set(id, size + Buffer.byteLength(text));
    }).catch(() => undefined);
  }

  /** Resolves when everything queued for the job is on disk. */
  flush(id: string): Promise<void> {
    return (this.chains.get(id) ?? Promise.resolve()).catch(() => undefined);
  }

  async read(id: string): Promise<JobRecord | null> {
    try {
      return JSON.parse(await readFile(this.recordPath(id), 'utf8')) as JobRecord;
    } catch {
      return null;
    }
  }

  /** Every record on disk, newest first. A damaged record is skipped, not fatal. */
  async list(): Promise<JobRecord[]> {
    const records = await Promise.all((await this.recordIds()).map((id) => this.read(id)));
    return records
      .filter((r): r is JobRecord => r !== null && typeof r.id === 'string')
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** The last maxBytes of the log (rotated part included when the current one is shorter). */
  async tail(id: string, maxBytes = 64 * 1024): Promise<{ text: string; truncated: boolean }> {
    const parts: Buffer[] = [];
    for (const path of [this.logPath(id), `${this.logPath(id)}.1`]) {
      const have = parts.reduce((n, p) => n + p.length, 0);
      if (have >= maxBytes) break;
      parts.unshift(await readTail(path, maxBytes - have));
    }
    const all = Buffer.concat(parts);
    const full = await Promise.all(
      [this.logPath(id), `${this.logPath(id)}.1`].map((p) =>
        stat(p)
          .then((s) => s.size)
          .catch(() => 0),
      ),
    );
    return { text: all.toString('utf8'), truncated: full[0]! + full[1]! > all.length };
  }

  /** At start-up: records still "running" belong to a process that died. Marks them interrupted and returns them. */
  async recoverInterrupted(isAlive: (id: string) => boolean = () => false): Promise<JobRecord[]> {
    const interrupted: JobRecord[] = [];
    for (const r of await this.runningRecords()) {
      if (isAlive(r.id)) continue;
      const marked: JobRecord = { ...r, state: 'interrupted', endedAt: new Date().toISOString() };
      await this.write(marked);
      await this.log(r.id, 'The app stopped while this job ran: marked interrupted.');
      interrupted.push(marked);
    }
    return interrupted;
  }

  /** The records marked running (all the records, once, in a folder from before the markers). */
  private async runningRecords(): Promise<JobRecord[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    if (names.length > 0 && !names.includes(MARKED_STAMP)) {
      const running = (await this.list()).filter((r) => r.state === 'running');
      await Promise.all(running.map((r) => writeFile(this.markerPath(r.id), '')));
      await writeFile(join(this.dir, MARKED_STAMP), '');
      return running;
    }
    if (names.length === 0) {
      await mkdir(this.dir, { recursive: true });
      await writeFile(join(this.dir, MARKED_STAMP), '');
    }
    const ids = names
      .filter((n) => n.endsWith(RUNNING))
      .map((n) => n.slice(0, -RUNNING.length))
      .filter((id) => ID.test(id));
    const records = await Promise.all(ids.map(async (id) => [id, await this.read(id)] as const));
    const running: JobRecord[] = [];
    for (const [id, r] of records) {
      if (r?.state === 'running') running.push(r);
      // A marker left by a crash after the record's last write (or with no record): nothing runs there.
      else await rm(this.markerPath(id), { force: true });
    }
    return running;
  }

  /** The ids of the records on disk (their file names), unread. */
  private async recordIds(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
  }

  /**
   * Keeps the newest `keep` finished jobs' files; running jobs (those with a marker) are never pruned. No record is
   * read, so the prune after every job costs a folder listing: ids carry their start time (job-id.ts). Ids that do
   * not (made before they did, or given by a caller) are aged by their record's mtime, a stat each.
   */
  prune(): Promise<void> {
    const next = this.pruning.then(() => this.pruneNow());
    this.pruning = next.catch(() => undefined);
    return next;
  }

  /**
   * Resolves when the prunes started so far are done. A process that exits after its jobs (the CLI) waits for this:
   * its exit does not wait for stray handles, and a prune cut short every time would let the folder grow forever.
   */
  idle(): Promise<void> {
    return this.pruning;
  }

  private async pruneNow(): Promise<void> {
    let names = await readdir(this.dir).catch(() => [] as string[]);
    // A folder from before the markers: mark its running records first (its one full scan), so none looks finished.
    if (names.length > 0 && !names.includes(MARKED_STAMP)) {
      await this.runningRecords();
      names = await readdir(this.dir).catch(() => [] as string[]);
    }
    const running = new Set(names.filter((n) => n.endsWith(RUNNING)).map((n) => n.slice(0, -RUNNING.length)));
    const finished = names
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -'.json'.length))
      .filter((id) => ID.test(id) && !running.has(id));
    if (finished.length <= this.keep) return;
    for (const id of (await this.oldestFirst(finished)).slice(0, finished.length - this.keep)) {
      await Promise.all(
        [this.recordPath(id), this.logPath(id), `${this.logPath(id)}.1`].map((p) => rm(p, { force: true })),
      );
      this.logSizes.delete(id);
    }
  }

  /** The ids, oldest first: by the time in the id, else by the record's mtime; ties by id. */
  private async oldestFirst(ids: string[]): Promise<string[]> {
    const aged = await Promise.all(
      ids.map(
        async (id) =>
          [
            id,
            jobIdTime(id) ??
              (await stat(this.recordPath(id)).then(
                (s) => s.mtimeMs,
                () => 0,
              )),
          ] as const,
      ),
    );
    return aged.sort(([a, ta], [b, tb]) => ta - tb || (a < b ? -1 : a > b ? 1 : 0)).map(([id]) => id);
  }

  private queue(id: string, task: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(id) ?? Promise.resolve()).catch(() => undefined).then(task);
    this.chains.set(id, next);
    void next
      .finally(() => {
        if (this.chains.get(id) === next) this.chains.delete(id);
      })
      .catch(() => undefined);
    return next;
  }
}

function checkId(id: string): string {
  if (!ID.test(id)) throw new Error(`not a job id: ${id.slice(0, 40)}`);
  return id;
}

async function readTail(path: string, maxBytes: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    return buf;
  } finally {
    await fh.close();
  }
}
