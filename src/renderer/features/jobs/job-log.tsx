import { useCallback, useEffect, useId, useState } from 'react';
import { api } from '../../shared/api';
import { ErrorBox } from '../../shared/components/error-box';
import { toUiError, type UiError } from '../../shared/errors';
import type { JobEntry } from './store';

/** The log's tail, read when opened; followed every 2 s while the job runs. */
export function JobLog({ job }: { job: JobEntry }) {
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
