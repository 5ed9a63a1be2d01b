import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import { throttle } from '../jobs/throttle';
import type { RsyncProgress } from './rsync-progress';

// Turns rsync's progress records into the app's {kind:'backup'} events (backup and restore jobs alike: the event's
// job type tells them apart), with speed and ETA from our own 2 s window (rsync's figures are cumulative averages).

export function rsyncProgressReporter(ctx: JobContext, total: number | undefined) {
  const kind = 'backup';
  const meter = new ProgressMeter(total);
  const out = throttle(ctx.progress.bind(ctx));
  return {
    copy(p: RsyncProgress) {
      // rsync's byte count can pass our estimate (files growing under a live source): never report > 100 %.
      const snap = meter.update(total !== undefined ? Math.min(p.bytes, total) : p.bytes);
      out.push({ kind, phase: 'copy', ...snap, items: p.files });
    },
    phase(phase: 'copy' | 'verify', bytes: number, files?: number) {
      out.push({ kind, phase, bytes, total, speed: 0, items: files });
      out.flush();
    },
    flush() {
      out.flush();
    },
  };
}
