import type { ErrorPayload } from '../errors';

// How a call and an event travel between the renderer and main. Channel names are derived from the registry:
// one channel per method, "kintsugi:<domain>.<method>", and one event channel for job events.

export const IPC_PREFIX = 'kintsugi:';
export const JOB_EVENT_CHANNEL = 'kintsugi:job-event';

export const channelFor = (domain: string, method: string): string => `${IPC_PREFIX}${domain}.${method}`;

/** Every invoke travels as { ok, value } or { ok: false, error } so errors keep their code across IPC. */
export type ApiResponse<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };
