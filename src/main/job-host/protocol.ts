import { z } from 'zod';
import type { ErrorPayload } from '../../shared/errors';
import type { JobEvent } from '../../shared/registry';

// The job hosts' wire format, spoken by the privileged helper and the utility process alike: one JSON object per
// line (NDJSON), requests in and messages out (stdin/stdout, or one line per message on a message channel).
// Nothing else travels on that channel; stderr is free text for diagnostics, shown only when a host dies.

/** A request line longer than this is dropped whole (a runaway or hostile writer cannot grow our memory). */
export const MAX_LINE_BYTES = 1024 * 1024;

export const HEARTBEAT_MS = 1000;

const requestId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

/** The job itself is validated separately so a bad job can be answered on its request id. */
export const hostRequest = z.discriminatedUnion('op', [
  z.strictObject({ id: requestId, op: z.literal('start'), job: z.unknown() }),
  z.strictObject({ id: requestId, op: z.literal('cancel'), jobId: requestId }),
  z.strictObject({ op: z.literal('shutdown') }),
]);

export type HostRequest = z.infer<typeof hostRequest>;

export type HostMessage =
  | { type: 'ready'; version: string; pid: number }
  | { type: 'heartbeat'; t: number }
  /** A request that could not be tied to a job (bad JSON, unknown op, oversize line, unknown job id). */
  | { type: 'error'; id?: string; error: ErrorPayload }
  | { type: 'cancelled'; id: string; jobId: string; running: boolean }
  /** A start refused before its job type was known to be valid. */
  | { jobId: string; type: 'failed'; error: ErrorPayload }
  | JobEvent;

/** Splits a byte stream into lines, enforcing the size limit. Returns a function to feed chunks into. */
export function lineSplitter(
  onLine: (line: string) => void,
  onOversize: (bytes: number) => void,
  maxBytes = MAX_LINE_BYTES,
): { push(chunk: Buffer | string): void; end(): void } {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false; // inside an oversize line: drop bytes until its newline
  const take = (buf: Buffer) => {
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      const piece = nl === -1 ? buf.subarray(start) : buf.subarray(start, nl);
      if (!skipping) {
        size += piece.length;
        if (size > maxBytes) {
          onOversize(size);
          skipping = true;
          parts = [];
        } else if (piece.length) {
          parts.push(piece);
        }
      }
      if (nl === -1) return;
      if (!skipping) {
        const line = Buffer.concat(parts).toString('utf8');
        if (line.trim()) onLine(line);
      }
      parts = [];
      size = 0;
      skipping = false;
      start = nl + 1;
    }
  };
  return {
    push: (chunk) => take(typeof chunk === 'string' ? Buffer.from(chunk) : chunk),
    end: () => {
      if (!skipping && parts.length) {
        const line = Buffer.concat(parts).toString('utf8');
        if (line.trim()) onLine(line);
      }
      parts = [];
    },
  };
}
