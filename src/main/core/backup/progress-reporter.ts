import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import type { RsyncProgress } from './rsync-progress';

// Turns rsync's progress records into the app's {kind:'backup'} events (backup, restore and check jobs alike: the
// event's job type tells them apart), with speed and ETA from our own 2 s window (rsync's figures are cumulative
// averages). The verify phase (a backup's, a restore's, a check's) reports the same way: bytes of files checked
// out of the tree's bytes, files checked, speed and ETA.

export function rsyncProgressReporter(ctx: JobContext, total: number | undefined) {
  const kind = 'backup';
  const meter = new ProgressMeter(total);
  return {
    copy(p: RsyncProgress) {
      // rsync's byte count can pass our estimate (files growing under a live source): never report > 100 %.
      const snap = meter.update(total !== undefined ? Math.min(p.bytes, total) : p.bytes);
      ctx.progress({ kind, phase: 'copy', ...snap, items: p.files });
    },
    /** Where a phase starts or ends, with no speed: the job runner delivers a phase's first and last event. */
    phase(phase: 'copy' | 'verify', bytes: number, files?: number) {
      ctx.progress({ kind, phase, bytes, total, speed: 0, items: files });
    },
  };
}

/** How often the verify phase reports: the job runner keeps at most 10 events a second anyway. */
const VERIFY_REPORT_MS = 100;

/**
 * The verify phase's reporter: `file(bytes)` for each file checked (read, or proven unchanged without a read),
 * events with bytes done of `total`, files done of `filesTotal`, speed and ETA. `end()` sends the phase's last
 * event (all done) whatever the throttle held back. A file count or byte total that turns out low (a live
 * source) never shows more than 100 %.
 */
export function verifyProgressReporter(
  ctx: Pick<JobContext, 'progress'>,
  total: number,
  filesTotal?: number,
  now: () => number = () => performance.now(),
) {
  const meter = new ProgressMeter(total, 2000, now);
  let bytes = 0;
  let files = 0;
  let last = -Infinity;
  const send = () => {
    const snap = meter.update(Math.min(bytes, total));
    ctx.progress({
      kind: 'backup',
      phase: 'verify',
      ...snap,
      items: files,
      ...(filesTotal !== undefined ? { itemsTotal: Math.max(filesTotal, files) } : {}),
    });
  };
  return {
    start() {
      last = now();
      send();
    },
    file(size: number) {
      bytes += size;
      files++;
      if (now() - last < VERIFY_REPORT_MS) return;
      last = now();
      send();
    },
    end() {
      bytes = Math.max(bytes, total);
      send();
    },
  };
}
