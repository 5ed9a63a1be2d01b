// Progress is a discriminated union on `kind`. Producers throttle to at most 10 events per second per job
// (see core/jobs/throttle.ts). Speeds are bytes per second over the last ~2 s; eta is seconds, absent when unknown.

export interface RateFields {
  bytes: number;
  total?: number;
  speed: number;
  eta?: number;
}

export type Progress =
  | ({ kind: 'download' } & RateFields)
  | ({ kind: 'image-check'; phase: 'checksum' | 'signature' | 'decompress-test' } & RateFields)
  | ({ kind: 'flash'; phase: 'write' | 'verify' } & RateFields & { total: number })
  | ({ kind: 'backup' | 'restore'; phase: 'copy' | 'verify'; files?: number } & RateFields)
  | { kind: 'step'; step: ReflashStep; message: string };

export type ReflashStep = 'image' | 'drive' | 'backup' | 'flash' | 'restore' | 'done';

export type ProgressKind = Progress['kind'];
