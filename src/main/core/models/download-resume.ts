import { stat } from 'node:fs/promises';
import { createSHA256 } from 'hash-wasm';
import { trustedBytes, trustedHash, readDownloadState, type DownloadState } from './download-state';
import type { Sha256From } from './download-sha256';
import { sha256StateBytes, type HashedAt } from './sha256-behind';

// Where a download continues: the record beside the `.incomplete` file, if it is about the same file (URL,
// revision, expected sha256) and the file still holds the bytes it may trust (all it wrote in this boot, only the
// fsynced ones after a reboot), with the sha256 state that goes with them. The state is checked (it covers no
// more than the trusted bytes, it says the byte count the record does, hash-wasm loads it); one that fails is
// dropped and the whole kept prefix is re-read instead: re-read, never re-fetched. The bytes between the state and
// the end of the trusted ones are re-read from disk by the hash's thread (download-sha256.ts).

export interface ResumeFrom extends Sha256From {
  /** The record resumed from (its validator, expected size and sha256 carry on), or none: start at 0. */
  state?: DownloadState;
  /** Bytes the hash re-reads from disk: [hashed.bytes, bytes). */
  reread: number;
}

export async function resumePoint(
  target: { url: string; revision?: string; expectedSha256?: string },
  incomplete: string,
  statePath: string,
  bootId: string | undefined,
  say: (m: string) => void,
  log: (m: string) => void,
): Promise<ResumeFrom> {
  const fresh = (why?: string): ResumeFrom => {
    if (why) say(`Starting over: ${why}.`);
    return { bytes: 0, reread: 0 };
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
  if (bytes === 0) return { state: s, bytes, reread: 0 };

  const hashed = await usableHash(trustedHash(s, bootId), bytes, say);
  const reread = bytes - (hashed?.bytes ?? 0);
  log(
    reread === 0
      ? `The saved sha256 state covers all ${bytes} kept bytes: nothing to re-read.`
      : `Re-reading ${reread} bytes from disk to carry the sha256 (its saved state covers ${hashed?.bytes ?? 0} of the ${bytes} kept bytes).`,
  );
  return { state: s, bytes, ...(hashed ? { hashed } : {}), reread };
}

/** The recorded state as hash-wasm's bytes, or undefined (and why, said) when it cannot be trusted. */
async function usableHash(
  h: { bytes: number; state: string } | undefined,
  trusted: number,
  say: (m: string) => void,
): Promise<HashedAt | undefined> {
  if (!h) return undefined;
  const state = Buffer.from(h.state, 'base64');
  let why: string | undefined;
  if (h.bytes > trusted) why = `covers ${h.bytes} bytes, more than the ${trusted} it may trust`;
  else if (sha256StateBytes(state) !== h.bytes)
    why = `says ${sha256StateBytes(state) ?? 'no'} bytes, not the ${h.bytes} recorded`;
  else
    try {
      (await createSHA256()).load(state);
    } catch (err) {
      why = `does not load (${(err as Error).message})`;
    }
  if (why === undefined) return { bytes: h.bytes, state };
  say(`The record's sha256 state ${why}: it is not used.`);
  return undefined;
}
