import type { Progress } from '../../shared/progress';
import { formatBytes, formatDuration, formatSpeed } from '../format';
import { useStore, type JobView } from '../store';
import { ErrorBox } from './error-box';

const phaseLabel: Record<string, string> = {
  write: 'Writing',
  verify: 'Verifying',
  copy: 'Copying',
  checksum: 'Checking the checksum',
  signature: 'Checking the signature',
  'decompress-test': 'Test-decompressing',
};

function describe(p: Progress | undefined): { label: string; fraction?: number; line?: string } {
  if (!p) return { label: 'Starting…' };
  if (p.kind === 'step') return { label: p.message };
  const label = 'phase' in p ? (phaseLabel[p.phase] ?? p.phase) : 'Downloading';
  const fraction = p.total ? Math.min(1, p.bytes / p.total) : undefined;
  const files = 'files' in p && p.files !== undefined ? ` · ${p.files} files` : '';
  const size = p.total ? `${formatBytes(p.bytes)} of ${formatBytes(p.total)}` : formatBytes(p.bytes);
  const eta = p.eta !== undefined ? ` · ${formatDuration(p.eta)} left` : '';
  return { label, fraction, line: `${size} · ${formatSpeed(p.speed)}${eta}${files}` };
}

/** A running, failed or interrupted job with its progress, Cancel and Retry. */
export function JobProgress({ job, title }: { job: JobView; title: string }) {
  const cancelJob = useStore((s) => s.cancelJob);
  const retryJob = useStore((s) => s.retryJob);
  if (job.state === 'interrupted') {
    return (
      <div className="job job-interrupted" role="status">
        <p>
          <strong>{title} was interrupted</strong> when the app stopped. Nothing was marked as finished.
        </p>
        <button type="button" onClick={() => void retryJob()}>
          Retry
        </button>
      </div>
    );
  }
  if (job.state === 'failed' && job.error) {
    return (
      <div className="job job-failed">
        <ErrorBox error={job.error} />
        <button type="button" onClick={() => void retryJob()}>
          Retry
        </button>
      </div>
    );
  }
  const d = describe(job.progress);
  const pct = d.fraction !== undefined ? Math.round(d.fraction * 100) : undefined;
  return (
    <div className="job" aria-live="polite">
      <div className="job-head">
        <span className="job-title">
          {title}: {d.label}
        </span>
        {pct !== undefined && <span className="job-pct">{pct}%</span>}
      </div>
      <div
        className={`bar${pct === undefined ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={`${title} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div className="bar-fill" style={{ width: pct !== undefined ? `${pct}%` : undefined }} />
      </div>
      {d.line && <p className="job-line">{d.line}</p>}
      <button type="button" className="secondary" onClick={() => void cancelJob()} disabled={!job.jobId}>
        Cancel
      </button>
    </div>
  );
}
