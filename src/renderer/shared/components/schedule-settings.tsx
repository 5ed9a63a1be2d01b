import { useCallback, useEffect, useState } from 'react';
import type { ScheduleState } from '../../../shared/schedule/model';
import { useStore } from '../../app/store';
import { api } from '../api';
import { toUiError, type UiError } from '../errors';
import { ErrorBox } from './error-box';
import { JobProgress } from './job-progress';

/** The schedule (weekly docs & scripts pull, monthly model verify): what is installed, Install or Remove (helper
 * jobs: they ask for the password). Read again when the job ends. */
export function ScheduleSettings() {
  const [state, setState] = useState<ScheduleState>();
  const [error, setError] = useState<UiError>();
  const [jobId, setJobId] = useState<string>();
  const job = useStore((s) => (jobId ? s.jobs[jobId] : undefined));
  const read = useCallback(() => {
    api()
      .schedule.show()
      .then((s) => {
        setState(s);
        setError(undefined);
      })
      .catch((e: unknown) => setError(toUiError(e)));
  }, []);
  useEffect(read, [read, job?.state]);
  const change = (kind: 'install' | 'remove') => {
    setError(undefined);
    (kind === 'install' ? api().schedule.install() : api().schedule.remove())
      .then(({ jobId: id }) => {
        useStore.getState().trackJob({ id, type: `schedule-${kind}` });
        setJobId(id);
      })
      .catch((e: unknown) => setError(toUiError(e)));
  };
  const installed = state?.tasks.some((t) => t.installed) ?? false;
  return (
    <fieldset className="settings-group">
      <legend>Schedule</legend>
      {state ? (
        <>
          <ul className="plain">
            {state.tasks.map((t) => (
              <li key={t.name}>
                <code>{t.name}</code> {t.when}:{' '}
                <span className={t.installed ? 'ok' : 'muted'}>
                  {t.installed ? 'installed' : 'not installed'}
                </span>
              </li>
            ))}
          </ul>
          <p className="muted">
            As {state.kind === 'systemd' ? 'systemd timers' : 'cron entries'} in <code>{state.dir}</code>.
          </p>
        </>
      ) : (
        !error && <p className="muted">Reading the schedule…</p>
      )}
      {error && <ErrorBox error={error} />}
      {job && (
        <JobProgress
          job={job}
          title="Schedule"
          onCancel={() => void useStore.getState().cancelJob(job.id)}
          onRetry={() => change(installed ? 'remove' : 'install')}
        />
      )}
      <div className="section-actions">
        <button
          type="button"
          className="secondary"
          disabled={job?.state === 'running'}
          onClick={() => change('install')}
        >
          {installed ? 'Install again' : 'Install the schedule'}
        </button>
        {installed && (
          <button
            type="button"
            className="secondary"
            disabled={job?.state === 'running'}
            onClick={() => change('remove')}
          >
            Remove the schedule
          </button>
        )}
      </div>
    </fieldset>
  );
}
