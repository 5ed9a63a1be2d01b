import type { JobEntry } from '../../features/jobs/store';
import { describeProgress, describeStop, percent } from '../progress-text';
import { ErrorBox } from './error-box';

/** A job as a step shows it: running (bar, Cancel), failed (error, Retry), interrupted (where it stopped, what it
 * left, Retry). A finished job shows nothing here: the step shows its result. */
export function JobProgress(props: {
  job: JobEntry;
  title: string;
  onCancel(): void;
  onRetry(): void;
  /** What an interrupted or failed job may have left behind, in words. */
  left?: string;
  retryDisabled?: boolean;
}) {
  const { job, title } = props;
  const retry = (
    <button type="button" onClick={props.onRetry} disabled={props.retryDisabled}>
      Retry
    </button>
  );
  if (job.state === 'done') return null;
  if (job.state === 'interrupted') {
    const at = describeStop(job.progress);
    return (
      <div className="job job-interrupted" role="status">
        <p>
          <strong>{title} was interrupted</strong> when the app stopped
          {at ? <> (it had reached: {at})</> : null}. Nothing was marked as finished.
        </p>
        {props.left && <p className="job-left">{props.left}</p>}
        {retry}
      </div>
    );
  }
  if (job.state === 'failed') {
    return (
      <div className="job job-failed">
        {job.error && <ErrorBox error={job.error} />}
        {props.left && <p className="job-left">{props.left}</p>}
        {retry}
      </div>
    );
  }
  return <RunningJob job={job} title={title} onCancel={props.onCancel} />;
}

/** The bar, the numbers and Cancel of a running job. */
export function RunningJob({ job, title, onCancel }: { job: JobEntry; title: string; onCancel(): void }) {
  const d = describeProgress(job.progress);
  const pct = percent(d.fraction);
  return (
    <div className="job" aria-live="polite">
      <div className="job-head">
        <span className="job-title">
          {title}: {d.label}
        </span>
        {pct !== undefined && <span className="job-pct">{pct}%</span>}
      </div>
      <ProgressBar label={`${title} progress`} pct={pct} />
      {d.line && <p className="job-line">{d.line}</p>}
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

export function ProgressBar({ label, pct }: { label: string; pct: number | undefined }) {
  return (
    <div
      className={`bar${pct === undefined ? ' indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <div className="bar-fill" style={{ width: pct !== undefined ? `${pct}%` : undefined }} />
    </div>
  );
}
