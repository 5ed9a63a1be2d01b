import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write';

// The record beside `<file>.incomplete` that lets a pull continue after the process died: what was being fetched
// (URL, revision, expected size and sha256, the server's validator) and how far the bytes go, twice: `bytes`
// were written (in the page cache of the boot `bootId`: they survive a killed process) and `durableBytes` were
// fsynced (they survive a reboot or a power cut). Beside each count, a savable sha256 state (hash-wasm's save(),
// kept by a thread behind the download: sha256-behind.ts) covering at most that many bytes, so a resume loads it
// and re-reads from disk only the gap between the state and the bytes it trusts (download-resume.ts). A state
// never covers bytes its count does not: after a reboot the bytes past `durableBytes` may be lost, and a state
// over them would carry bytes the file no longer holds.

/** A hash-wasm sha256 state (116 bytes, base64) and the bytes it says it covers; checked again on a resume. */
const hashedSchema = z.strictObject({
  bytes: z.number().int().nonnegative(),
  state: z.base64().max(256),
});
export type RecordedHash = z.output<typeof hashedSchema>;

export const downloadStateSchema = z
  .strictObject({
    v: z.literal(2),
    url: z.string().max(4096),
    revision: z.string().max(100).optional(),
    expectedSize: z.number().int().nonnegative().optional(),
    expectedSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    /** ETag (or X-Linked-Etag) of the response the bytes came from: sent as If-Range on a resume. */
    validator: z.string().max(512).optional(),
    /** Bytes of the .incomplete file that were written: a resume in the same boot continues from here. */
    bytes: z.number().int().nonnegative(),
    /** Bytes of it that were fsynced: a resume after a reboot continues from here. */
    durableBytes: z.number().int().nonnegative(),
    /** /proc/sys/kernel/random/boot_id when `bytes` were written (absent: unknown, only `durableBytes` count). */
    bootId: z.string().max(64).optional(),
    /** sha256 state over [0, hashed.bytes), hashed.bytes <= bytes: what a resume in the same boot loads. */
    hashed: hashedSchema.optional(),
    /** sha256 state over [0, durableHashed.bytes), within `durableBytes`: what a resume after a reboot loads. */
    durableHashed: hashedSchema.optional(),
  })
  .refine((s) => s.durableBytes <= s.bytes, { message: 'more bytes synced than written' });
export type DownloadState = z.output<typeof downloadStateSchema>;

/** Where a resume may continue: every written byte in the boot that wrote them, else the synced ones only. */
export const trustedBytes = (s: DownloadState, currentBootId: string | undefined): number =>
  s.bootId !== undefined && s.bootId === currentBootId ? s.bytes : s.durableBytes;

/** The sha256 state that goes with trustedBytes (it may still claim more than they: download-resume.ts checks). */
export const trustedHash = (s: DownloadState, currentBootId: string | undefined): RecordedHash | undefined =>
  s.bootId !== undefined && s.bootId === currentBootId ? s.hashed : s.durableHashed;

export const statePathFor = (incomplete: string) => `${incomplete}.json`;

/** The state, or why it cannot be used (missing, unreadable, not ours): the pull then starts over. */
export async function readDownloadState(
  path: string,
): Promise<{ state: DownloadState } | { reason: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no record' : String(err) };
  }
  try {
    const json = JSON.parse(text) as unknown;
    const v = (json as { v?: unknown } | null)?.v;
    if (v !== 2) return { reason: `record is of another format (v ${String(v)}, this version reads v 2)` };
    const r = downloadStateSchema.safeParse(json);
    return r.success ? { state: r.data } : { reason: `record invalid: ${r.error.issues[0]?.message}` };
  } catch {
    return { reason: 'record is not JSON' };
  }
}

/**
 * durable: written, fsynced and renamed (at the start, on cancel, on a stop). The frequent records while streaming
 * are renamed without fsync: a record lost to a power cut leaves an older one, whose numbers were true too.
 */
export async function writeDownloadState(
  path: string,
  state: DownloadState,
  durable: boolean,
): Promise<void> {
  const text = JSON.stringify(state);
  if (durable) return writeFileAtomic(path, text);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export const removeDownloadState = (path: string) => unlink(path).catch(() => {});
