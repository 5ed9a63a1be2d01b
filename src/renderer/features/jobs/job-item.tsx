import { useId } from 'react';
import { useStore } from '../../app/store';
import { ErrorBox } from '../../shared/components/error-box';
import { ProgressBar } from '../../shared/components/job-progress';
import { formatDuration } from '../../shared/format';
import { describeProgress, describeStop, percent } from '../../shared/progress-text';
import { JobLog } from './job-log';
import { leftBehind } from './left-behind';
import type { JobEntry } from './store';

const STATE_LABELS = {
  running: 'running',
  done: '✓ done',
  failed: '✕ failed',
  interrupted: '⚠ interrupted',
} as const;

const STATE_BADGES = { running: '', done: 'ok', failed: 'bad', interrupted: 'warn-badge' } as const;

/** One job in the list. */
export function JobItem({ job }: { job: JobEntry }) {
  const titleId = useId();
  const d = describeProgress(job.progress);
  const pct = percent(d.fraction);
  const left = leftBehind(job);
  const target = targetOf(job.params);
  return (
    <li className="card job-card" aria-labelledby={titleId} data-job-id={job.id} data-state={job.state}>
      <div className="job-head">
        <h2 id={titleId}>
          {job.title}
          <span className={`badge ${STATE_BADGES[job.state]}`}>{STATE_LABELS[job.state]}</span>
        </h2>
      </div>
      <p className="job-meta muted">
        {job.startedAt && <time dateTime={job.startedAt}>{new Date(job.startedAt).toLocaleString()}</time>}
        {job.startedAt && job.endedAt && (
          <> · took {formatDuration((Date.parse(job.endedAt) - Date.parse(job.startedAt)) / 1000)}</>
        )}
        {target && (
          <>
            {' '}
            · <code>{target}</code>
          </>
        )}
      </p>
      {job.state === 'running' && (
        <>
          <ProgressBar label={`${job.title} progress`} pct={pct} />
          <p className="job-line">
            {d.label}
            {d.line ? ` · ${d.line}` : ''}
          </p>
          <div className="actions">
            <button
              type="button"
              className="secondary"
              onClick={() => void useStore.getState().cancelJob(job.id)}
              aria-label={`Cancel ${job.title}`}
            >
              Cancel
            </button>
          </div>
        </>
      )}
      {job.state === 'interrupted' && (
        <p className="warn">
          Interrupted when the app stopped
          {describeStop(job.progress) ? ` (it had reached: ${describeStop(job.progress)})` : ''}. Nothing was
          marked as finished.
        </p>
      )}
      {job.state === 'failed' && job.error && <ErrorBox error={job.error} />}
      {left && <p className="job-left">{left}</p>}
      <JobLog job={job} />
    </li>
  );
}

/** The drive or folder a job worked on, from its recorded parameters. */
function targetOf(params: unknown): string | undefined {
  const p = params as Record<string, unknown> | undefined;
  for (const key of ['device', 'target', 'source']) {
    const v = p?.[key];
    if (typeof v === 'string') return v;
  }
  return undefined;
}
