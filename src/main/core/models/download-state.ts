import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write';

// The record beside `<file>.incomplete` that lets a pull continue after the process died: what was being fetched
// (URL, revision, expected size and sha256, the server's validator) and how far the bytes are hashed, with the
// sha256 state itself (hash-wasm's save(): node's crypto cannot serialize a hash), so a resume never re-fetches
// the bytes on disk and re-reads at most those between the state (`hashedBytes`) and the bytes' end (see
// sha256-behind.ts: the state is kept by a thread that may lag behind the download).

export const downloadStateSchema = z
  .strictObject({
    v: z.literal(1),
    url: z.string().max(4096),
    revision: z.string().max(100).optional(),
    expectedSize: z.number().int().nonnegative().optional(),
    expectedSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    /** ETag (or X-Linked-Etag) of the response the bytes came from: sent as If-Range on a resume. */
    validator: z.string().max(512).optional(),
    /** Bytes of the .incomplete file that were written (a resume continues from here). */
    bytes: z.number().int().nonnegative(),
    /** Bytes the hash state covers (at most `bytes`; absent: all of them, as records before it was added). */
    hashedBytes: z.number().int().nonnegative().optional(),
    /** hash-wasm sha256 state at `hashedBytes`, base64. */
    hashState: z.string().max(1024),
  })
  .refine((s) => (s.hashedBytes ?? s.bytes) <= s.bytes, { message: 'the hash is ahead of the bytes' });
export type DownloadState = z.output<typeof downloadStateSchema>;

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
    const r = downloadStateSchema.safeParse(JSON.parse(text));
    return r.success ? { state: r.data } : { reason: `record invalid: ${r.error.issues[0]?.message}` };
  } catch {
    return { reason: 'record is not JSON' };
  }
}

/**
 * durable: written, fsynced and renamed (at the start, on cancel, on a stop). The frequent checkpoints while
 * streaming are renamed without fsync: a killed process loses nothing (the page cache survives it); after a power
 * cut the final sha256 check catches a record ahead of its data and the pull starts over.
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
