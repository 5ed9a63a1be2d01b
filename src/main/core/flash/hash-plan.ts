import type { Compression, HashRun } from '../../../shared/model';
import { FINGERPRINT_ALGORITHM } from './fingerprint';

// Which hashes a flash runs, each for a purpose, and none for nothing:
// - a published sha256 over the file as stored (the compressed file, or a raw image file): sha256 of the file,
//   in a thread of its own beside the flash (file-sha256.ts);
// - a published sha256 over the decompressed image: sha256 of the decoded stream, over the write buffers in a
//   thread (HashWorker) or, with a bmap, over the whole stream as it is decoded (the skipped bytes count too);
// - a bmap's range checksums: checked while writing, as bmaptool copy does;
// - a verify: a fast fingerprint (fingerprint.ts) of the written bytes, compared with the bytes read back.
// Every one of them that ran is listed in the result (FlashResult.hashes), so a test and a log can see it.

export interface HashPlan {
  fileSha256: boolean;
  imageSha256?: 'write-buffers' | 'stream';
  rangeCheck?: string;
  fingerprint: boolean;
}

export function planHashes(opts: {
  expected?: { target: 'compressed' | 'image' };
  compression: Compression;
  usesBmap: boolean;
  /** The bmap's checksum type when it carries range checksums. */
  rangeChecksums?: string;
  verify: boolean;
}): HashPlan {
  const target = opts.expected?.target;
  // A raw image file is the image: its sha256 is the file's, whichever the checksum file says it names.
  const fileSha256 = target === 'compressed' || (target === 'image' && opts.compression === 'none');
  const imageSha256 =
    target === 'image' && opts.compression !== 'none'
      ? opts.usesBmap
        ? 'stream'
        : 'write-buffers'
      : undefined;
  return {
    fileSha256,
    ...(imageSha256 ? { imageSha256 } : {}),
    ...(opts.rangeChecksums ? { rangeCheck: opts.rangeChecksums } : {}),
    fingerprint: opts.verify,
  };
}

/** The plan as the result reports it (the read-back only once it ran). */
export function hashRuns(plan: HashPlan, readBack: boolean): HashRun[] {
  const runs: HashRun[] = [];
  if (plan.fileSha256) runs.push({ algorithm: 'sha256', over: 'file' });
  if (plan.imageSha256) runs.push({ algorithm: 'sha256', over: 'image' });
  if (plan.rangeCheck) runs.push({ algorithm: plan.rangeCheck, over: 'bmap-ranges' });
  if (plan.fingerprint) runs.push({ algorithm: FINGERPRINT_ALGORITHM, over: 'written' });
  if (plan.fingerprint && readBack) runs.push({ algorithm: FINGERPRINT_ALGORITHM, over: 'read-back' });
  return runs;
}
