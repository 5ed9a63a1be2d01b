import { randomBytes } from 'node:crypto';

// Job ids are UUIDv7 (RFC 9562): the first 48 bits are the time the id was made, in ms since the epoch, as 12 hex
// digits, so ids compare as text in the order their jobs started — the clock's order, as the records' startedAt. The
// journal names its files by id and prunes the oldest by name, without reading a record (journal.ts). Ids made in
// one process within the same millisecond carry a counter in the 12 bits after the version, so they still sort in
// the order they were made (the first 4096 of a millisecond; the random bits keep any more unique).

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let last = { ms: -1, seq: 0 };

export function newJobId(now: number = Date.now()): string {
  const ms = Math.floor(now);
  const seq = ms === last.ms ? Math.min(last.seq + 1, 0xfff) : 0;
  last = { ms, seq };
  const time = ms.toString(16).padStart(12, '0');
  const rand = randomBytes(8);
  rand[0] = (rand[0]! & 0x3f) | 0x80; // the RFC's variant bits, 10
  const tail = rand.toString('hex');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${seq.toString(16).padStart(3, '0')}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

/** When a job id was made (ms since the epoch); undefined for an id that does not carry its time. */
export function jobIdTime(id: string): number | undefined {
  return V7.test(id) ? parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : undefined;
}
