import { readFile, stat } from 'node:fs/promises';
import type { KernelInstallState } from '../../../../shared/kernel/model';
import { heartbeatFile } from './paths';
import type { InstallRecord } from './state';

// Did the new kernel come up? After the reboot the heartbeat unit (packaging/systemd/kintsugi-heartbeat.service)
// writes `uname -r` to <root>/var/lib/kintsugi/heartbeat. The decision is a pure function of the record, that
// file and the clock, so the tray, `status` and the tests (with a fake clock) all read it the same way.

/** How long an install waits for the new kernel's heartbeat unless told otherwise (--heartbeat-timeout). */
export const DEFAULT_HEARTBEAT_TIMEOUT_SEC = 600;

export interface Heartbeat {
  /** The file's first line: the release the booted kernel reports. */
  release: string;
  /** When it was written (the file's mtime). */
  writtenAt: number;
}

/** File times come from the kernel's coarse clock, a few ms behind Date.now(): a heartbeat written right after
 * the install may carry an earlier mtime. Two seconds of slack cannot let a stale one through: the new release
 * was not running two seconds before it was installed. */
export const HEARTBEAT_CLOCK_SLACK_MS = 2000;

export interface HeartbeatVerdict {
  state: KernelInstallState;
  /** pending-heartbeat past its deadline: the tray raises its badge, the app offers rollback. */
  overdue: boolean;
  /** ms since the epoch; absent when nothing waits for a heartbeat. */
  deadline?: number;
  /** Why, in a sentence (a heartbeat of another kernel, a step the install did not reach). */
  note?: string;
}

/**
 * `bootedAt` (ms) moves the deadline to timeout-after-boot when the machine booted after the install: a reboot
 * that took a while must not count against the new kernel.
 */
export function decideHeartbeat(
  rec: InstallRecord | null,
  hb: Heartbeat | null,
  now: number,
  bootedAt?: number,
): HeartbeatVerdict {
  if (!rec) return { state: 'not-installed', overdue: false };
  if (rec.phase === 'rolled-back') return { state: 'rolled-back', overdue: false };
  if (rec.phase === 'rolling-back')
    return {
      state: 'installed',
      overdue: false,
      note: 'a rollback started and did not finish: run it again',
    };
  if (rec.phase === 'installing' || !rec.installedAt)
    return {
      state: 'installed',
      overdue: false,
      note: 'the install did not finish: run it again or roll back',
    };
  const installedAt = Date.parse(rec.installedAt);
  const fresh = hb !== null && hb.writtenAt >= installedAt - HEARTBEAT_CLOCK_SLACK_MS;
  if (fresh && hb.release === rec.package.kernelRelease) return { state: 'confirmed', overdue: false };
  const from = Math.max(installedAt, bootedAt ?? 0);
  const deadline = from + rec.heartbeatTimeoutSec * 1000;
  const note =
    fresh && hb
      ? `the heartbeat names ${hb.release}, not ${rec.package.kernelRelease}: the old kernel booted`
      : undefined;
  return { state: 'pending-heartbeat', overdue: now > deadline, deadline, ...(note ? { note } : {}) };
}

export async function readHeartbeat(root: string): Promise<Heartbeat | null> {
  const path = heartbeatFile(root);
  try {
    const [text, s] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const release = text.split('\n')[0]!.trim();
    return release ? { release, writtenAt: s.mtimeMs } : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** When this machine booted (ms), from /proc/stat's btime; only meaningful for the running system's root. */
export async function bootTime(): Promise<number | undefined> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => '');
  const m = /^btime (\d+)$/m.exec(text);
  return m ? Number(m[1]) * 1000 : undefined;
}
