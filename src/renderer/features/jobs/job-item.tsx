import { useCallback, useEffect, useId, useState } from 'react';
import { useStore } from '../../app/store';
import { api } from '../../shared/api';
import { ErrorBox } from '../../shared/components/error-box';
import { ProgressBar } from '../../shared/components/job-progress';
import { toUiError, type UiError } from '../../shared/errors';
import { formatDuration } from '../../shared/format';
import { describeProgress, describeStop, percent } from '../../shared/progress-text';
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

/** The log's tail, read when opened; followed every 2 s while the job runs. */
function JobLog({ job }: { job: JobEntry }) {
  const [open, setOpen] = useState(false);
  const [log, setLog] = useState<{ text: string; truncated: boolean } | undefined>();
  const [error, setError] = useState<UiError | undefined>();
  const logId = useId();
  const read = useCallback(async () => {
    try {
      setLog(await api().jobs.log({ jobId: job.id }));
      setError(undefined);
    } catch (err) {
      setError(toUiError(err));
    }
  }, [job.id]);
  useEffect(() => {
    if (!open) return;
    void read();
    if (job.state !== 'running') return;
    const t = setInterval(() => void read(), 2000);
    return () => clearInterval(t);
  }, [open, read, job.state]);

  return (
    <details className="job-log" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Log</summary>
      {error && <ErrorBox error={error} />}
      {log && (
        <>
          {log.truncated && <p className="muted">The newest lines; the log file holds more.</p>}
          <pre id={logId} className="log" tabIndex={0} aria-label={`Log of ${job.title}`}>
            {log.text || '(empty)'}
          </pre>
        </>
      )}
    </details>
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
