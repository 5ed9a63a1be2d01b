import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import type { RsyncProgress } from './rsync-progress';

// Turns rsync's progress records into the app's {kind:'backup'} events (backup and restore jobs alike: the event's
// job type tells them apart), with speed and ETA from our own 2 s window (rsync's figures are cumulative averages).

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
