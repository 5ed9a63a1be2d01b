import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import { throttle } from '../jobs/throttle';
import type { RsyncProgress } from './rsync-progress';

// Turns rsync's progress records into the app's throttled {kind:'backup'|'restore'} events, with speed and
// ETA from our own 2 s window (rsync's figures are cumulative averages).

export function rsyncProgressReporter(
  ctx: JobContext,
  kind: 'backup' | 'restore',
  total: number | undefined,
) {
  const meter = new ProgressMeter(total);
  const out = throttle(ctx.progress.bind(ctx));
  return {
    copy(p: RsyncProgress) {
      // rsync's byte count can pass our estimate (files growing under a live source): never report > 100 %.
      const snap = meter.update(total !== undefined ? Math.min(p.bytes, total) : p.bytes);
      out.push({ kind, phase: 'copy', ...snap, files: p.files });
    },
    phase(phase: 'copy' | 'verify', bytes: number, files?: number) {
      out.push({ kind, phase, bytes, total, speed: 0, files });
      out.flush();
    },
    flush() {
      out.flush();
    },
  };
}
