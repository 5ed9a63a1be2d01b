import { KintsugiError } from '../../../shared/errors';

// The storage guard, as a pure rule over plain numbers: before and during every pull, on the usage the filesystem
// would reach once the remaining bytes are written. Warn at 80 %, refuse at 95 % (KINTSUGI_STORAGE_WARN_PCT,
// KINTSUGI_STORAGE_REFUSE_PCT); a file over 4 GiB cannot exist on FAT32 at all.

export interface FsUsage {
  mountPoint: string;
  totalBytes: number;
  /** total - available to us (statfs bavail): what a user sees as used, root's reserve included. */
  usedBytes: number;
  fat32: boolean;
}

export interface GuardLimits {
  warnPercent: number;
  refusePercent: number;
}

export type GuardVerdict = { ok: true; warning?: string; projectedPercent: number };

const FAT32_MAX = 4 * 1024 ** 3 - 1;

function pctFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 100)
    throw new KintsugiError('INVALID_ARGUMENT', `${name}=${JSON.stringify(raw)} is not a percentage`, {
      hint: `Set ${name} to a number between 1 and 100, or unset it (default ${fallback}).`,
    });
  return n;
}

export function guardLimits(env: NodeJS.ProcessEnv = process.env): GuardLimits {
  const warnPercent = pctFromEnv('KINTSUGI_STORAGE_WARN_PCT', 80, env);
  const refusePercent = pctFromEnv('KINTSUGI_STORAGE_REFUSE_PCT', 95, env);
  if (warnPercent > refusePercent)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `KINTSUGI_STORAGE_WARN_PCT (${warnPercent}) is above KINTSUGI_STORAGE_REFUSE_PCT (${refusePercent})`,
      { hint: 'The warning must come at or before the refusal: lower the one or raise the other.' },
    );
  return { warnPercent, refusePercent };
}

/**
 * Throws MODEL_STORAGE_REFUSED / MODEL_TOO_LARGE_FOR_FS, or says ok (with a warning past the warn mark).
 * remainingBytes: what the pull still has to write; fileBytes: the whole file's size (for the FAT32 rule).
 */
export function checkStorage(
  fs: FsUsage,
  remainingBytes: number,
  limits: GuardLimits,
  fileBytes?: number,
): GuardVerdict {
  if (fs.fat32 && fileBytes !== undefined && fileBytes > FAT32_MAX)
    throw new KintsugiError(
      'MODEL_TOO_LARGE_FOR_FS',
      `${fileBytes} bytes will not fit in one file on the FAT32 filesystem at ${fs.mountPoint}`,
    );
  const projected = fs.totalBytes > 0 ? ((fs.usedBytes + remainingBytes) / fs.totalBytes) * 100 : 100;
  const shown = Math.floor(projected);
  if (projected >= limits.refusePercent)
    throw new KintsugiError(
      'MODEL_STORAGE_REFUSED',
      `${remainingBytes} more bytes would bring ${fs.mountPoint} to ${shown}% (refusing at ${limits.refusePercent}%)`,
      { message: `Storage at ${shown}% of ${fs.mountPoint} — refusing pull` },
    );
  return projected >= limits.warnPercent
    ? {
        ok: true,
        projectedPercent: projected,
        warning: `Storage at ${shown}% of ${fs.mountPoint} after this pull (warning at ${limits.warnPercent}%)`,
      }
    : { ok: true, projectedPercent: projected };
}
