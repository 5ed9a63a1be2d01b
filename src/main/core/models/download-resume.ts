import { createHash, type Hash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';
import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import { readDownloadState, trustedBytes, type DownloadState } from './download-state';
import { hashFileInto } from './file-sha256';

// Where a download continues: the record beside the `.incomplete` file, if it is about the same file (URL,
// revision, expected sha256) and the file still holds the bytes it may trust (all it wrote in this boot, only the
// fsynced ones after a reboot). The sha256 of those bytes is read back from disk with node's crypto (~1.5 GB/s
// with SHA-NI, from the page cache when the pull was cut in this boot): re-read, never re-fetched.

export interface ResumeFrom {
  /** The record resumed from (its validator, expected size and sha256 carry on), or none: start at 0. */
  state?: DownloadState;
  bytes: number;
  /** sha256 of bytes [0, bytes). */
  hash: Hash;
}

export async function resumePoint(
  target: { url: string; revision?: string; expectedSha256?: string },
  incomplete: string,
  statePath: string,
  bootId: string | undefined,
  ctx: JobContext,
  say: (m: string) => void,
): Promise<ResumeFrom> {
  const fresh = (why?: string): ResumeFrom => {
    if (why) say(`Starting over: ${why}.`);
    return { bytes: 0, hash: createHash('sha256') };
  };
  const prior = await readDownloadState(statePath);
  if ('reason' in prior)
    return fresh(prior.reason === 'no record' ? undefined : `the partial download's ${prior.reason}`);
  const s = prior.state;
  if (s.url !== target.url) return fresh('the URL changed');
  if (s.revision !== target.revision) return fresh('the revision changed');
  if (target.expectedSha256 && s.expectedSha256 && s.expectedSha256 !== target.expectedSha256)
    return fresh('the expected sha256 changed');
  const bytes = trustedBytes(s, bootId);
  if (bytes < s.bytes)
    say(
      `The machine restarted since the partial download: continuing from the ${bytes} bytes synced to disk ` +
        `(the ${s.bytes - bytes} written after them are fetched again).`,
    );
  const onDisk = await stat(incomplete).then(
    (x) => x.size,
    () => -1,
  );
  if (onDisk < bytes)
    return fresh(`the partial file has ${Math.max(onDisk, 0)} bytes, fewer than its record's ${bytes}`);

  const hash = createHash('sha256');
  if (bytes > 0) {
    ctx.log(`Re-reading ${bytes} bytes from disk to carry the sha256.`);
    const meter = new ProgressMeter(bytes);
    try {
      await hashFileInto(hash, incomplete, bytes, {
        signal: ctx.signal,
        onBytes: (b) => ctx.progress({ kind: 'models', phase: 'checksum', ...meter.update(b) }),
      });
    } catch (err) {
      if (ctx.signal.aborted)
        throw new KintsugiError('CANCELLED', `stopped while re-reading the partial file; it was kept`);
      return fresh(`the partial file could not be read back (${(err as Error).message})`);
    }
  }
  return { state: s, bytes, hash };
}
