// Human numbers for sizes, speeds and durations.

import { formatBytes } from '../../shared/format-bytes';

export { formatBytes };

export function formatSpeed(bps: number | undefined): string {
  return bps && bps > 0 ? `${formatBytes(bps)}/s` : '—';
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 10) return `${Math.max(0, seconds).toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A time estimate for `bytes` at a measured speed, or at a stated default when nothing was measured yet. */
export function estimate(bytes: number | undefined, measured: number | undefined, fallback: number): string {
  if (!bytes) return '—';
  const speed = measured && measured > 0 ? measured : fallback;
  const basis = measured && measured > 0 ? 'as measured here' : 'an estimate at a typical speed';
  return `about ${formatDuration(bytes / speed)} at ${formatSpeed(speed)} (${basis})`;
}

/** Default speeds used before anything was measured on this machine. */
export const DEFAULT_SPEEDS = {
  hash: 400 * 1024 * 1024,
  backup: 60 * 1024 * 1024,
  flash: 30 * 1024 * 1024,
  restore: 60 * 1024 * 1024,
} as const;
