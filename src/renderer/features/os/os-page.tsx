import { useEffect, useRef, useState } from 'react';
import type { OsApplyResult, OsDeployment, OsRollbackResult } from '../../../shared/os/model';
import { useStore } from '../../app/store';
import { ConfirmDialog } from '../../shared/components/confirm-dialog';
import { ErrorBox } from '../../shared/components/error-box';
import { JobProgress } from '../../shared/components/job-progress';
import { toUiError, type UiError } from '../../shared/errors';
import { ERROR_CATALOGUE } from '../../../shared/errors';
import { timeAgo } from '../../shared/time-ago';
import { useMeteredAsk } from '../../shared/use-metered-ask';
import { useFocusHeading, usePrimaryEnter } from '../../shared/use-page';
import { DeploymentsTable } from './deployments-table';
import { OsBanners } from './os-banners';
import type { OsAction } from './store';
import { deploymentLabel, osActions, rollbackTarget, updateLines } from './summary';
import { UpdateList } from './update-list';

const TITLES: Record<OsAction, string> = {
  check: 'Checking for OS updates',
  apply: 'Applying OS updates',
  rollback: 'Rolling back',
  pin: 'Pinning',
  repair: 'Repairing the interrupted update',
};

/**
 * System updates: the backend and the current version, the updates the last check found, Apply (a confirm that
 * lists what changes, then the job's phases and packages), the reboot and interrupted-apply banners, and for
 * ostree / rpm-ostree the deployments with Pin / Unpin and Rollback. Every button is an intent to main, which
 * chooses the system; Check now and Apply ask first on a metered network. Enter on the heading presses the
 * primary action (Apply when there are updates, Repair after an interrupted apply, else Check now).
 */
export function OsPage() {
  const overview = useStore((s) => s.osOverview);
  const error = useStore((s) => s.osError);
  const osJobs = useStore((s) => s.osJobs);
  const last = useStore((s) => s.osLast);
  const jobs = useStore((s) => s.jobs);
  const pageRef = useRef<HTMLDivElement>(null);
  const [refused, setRefused] = useState<UiError>();
  const [confirm, setConfirm] = useState<'apply' | 'rollback'>();
  const metered = useMeteredAsk();
  usePrimaryEnter(pageRef);
  useFocusHeading(pageRef, 'os');
  // The page opens on a fresh offline read (deployments, reboot state); a check is the person's to start.
  useEffect(() => void useStore.getState().loadOs('refresh'), []);

  const running = Object.values(osJobs).some((j) => j && jobs[j.jobId]?.state === 'running');
  const can = osActions(overview, running);
  const state = overview?.state;
  const lastJob = last ? osJobs[last] : undefined;
  const job = lastJob ? jobs[lastJob.jobId] : undefined;

  const start = (action: OsAction, opts?: { allowMetered?: boolean; index?: number; pinned?: boolean }) => {
    setRefused(undefined);
    void useStore.getState().startOsJob(action, opts).then(setRefused);
  };
  // Check and apply download: on a metered network the person is asked, and their yes goes to main.
  const check = () =>
    metered.ask('Checking for OS updates', (allowMetered) => start('check', { allowMetered }));
  const apply = () =>
    metered.ask('Applying the OS updates', (allowMetered) => start('apply', { allowMetered }));
  const pin = (d: OsDeployment) => start('pin', { index: d.index, pinned: !d.pinned });
  const retry: Record<OsAction, () => void> = {
    check,
    apply: () => setConfirm('apply'),
    rollback: () => setConfirm('rollback'),
    repair: () => start('repair'),
    pin: () => {
      const d = state?.deployments.find((x) => x.index === osJobs.pin?.index);
      if (d) pin(d);
    },
  };
  const target = state ? rollbackTarget(state.deployments) : undefined;

  return (
    <div ref={pageRef} className="page os">
      <h1 tabIndex={-1}>System updates</h1>
      <div className="section-actions">
        <p className="lead grow">
          {overview?.backend ? (
            <>
              <strong>{overview.backend.name}</strong> ({overview.backend.how}: {overview.backend.why})
              {state && (
                <>
                  {' · '}
                  {state.release.prettyName}, current version <strong>{state.currentVersion}</strong>
                </>
              )}
            </>
          ) : overview ? (
            <span className="warn">
              No supported update system found{overview.backendProblem ? `: ${overview.backendProblem}` : '.'}
            </span>
          ) : (
            'Reading the system…'
          )}
        </p>
        <button
          type="button"
          className={can.primary === 'check' ? undefined : 'secondary'}
          data-primary={can.primary === 'check' ? '' : undefined}
          disabled={!can.check}
          onClick={check}
        >
          Check now
        </button>
        {state && state.updates.length > 0 && (
          <button
            type="button"
            data-primary={can.primary === 'apply' ? '' : undefined}
            disabled={!can.apply}
            onClick={() => setConfirm('apply')}
          >
            Apply…
          </button>
        )}
      </div>
      <p className="muted">
        Last check: {checkWords(overview, Date.now())}
        {overview?.badge.checkOverdue && (
          <span className="warn"> No check has succeeded for a week: check now.</span>
        )}
      </p>
      {error && <ErrorBox error={error} />}
      {refused && <ErrorBox error={refused} onDismiss={() => setRefused(undefined)} />}
      {metered.error && <ErrorBox error={metered.error} />}
      {overview?.lastCheck && !overview.lastCheck.ok && overview.lastCheck.error && (
        <ErrorBox error={lastCheckError(overview.lastCheck.error)} />
      )}
      {state && (
        <OsBanners
          state={state}
          canRepair={can.repair}
          primary={can.primary === 'repair'}
          onRepair={() => start('repair')}
        />
      )}
      {job && last && job.state !== 'done' && (
        <JobProgress
          job={job}
          title={TITLES[last]}
          onCancel={() => void useStore.getState().cancelJob(job.id)}
          onRetry={retry[last]}
          retryDisabled={running}
          left={
            last === 'apply'
              ? 'An apply cut short may leave a half-finished update: Check now says.'
              : undefined
          }
        />
      )}
      {job?.state === 'done' && last === 'apply' && <AppliedNote result={job.result as OsApplyResult} />}
      {job?.state === 'done' && last === 'rollback' && (
        <RolledBackNote result={job.result as OsRollbackResult} />
      )}
      {state && <UpdateList state={state} />}
      {state && state.backend !== 'apt' && (
        <section className="card" aria-labelledby="os-deployments">
          <div className="section-actions">
            <h2 id="os-deployments" className="grow">
              Deployments
            </h2>
            <button
              type="button"
              className="secondary"
              disabled={!can.rollback}
              onClick={() => setConfirm('rollback')}
            >
              Rollback…
            </button>
          </div>
          <DeploymentsTable
            deployments={state.deployments}
            canPin={can.pin}
            {...(running && last === 'pin' && osJobs.pin?.index !== undefined
              ? { pinning: osJobs.pin.index }
              : {})}
            onPin={pin}
          />
        </section>
      )}
      {metered.dialog}
      {confirm === 'apply' && state && (
        <ConfirmDialog
          title="Apply these OS updates?"
          confirmLabel="Apply now"
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => {
            setConfirm(undefined);
            apply();
          }}
        >
          <p>These change on the installed system:</p>
          <ul className="plain">
            {updateLines(state.updates).map((u) => (
              <li key={u.name}>
                <strong>{u.name}</strong> {u.change}
                {u.security ? ' (security)' : ''}
              </li>
            ))}
          </ul>
          <p>
            {state.backend === 'apt'
              ? 'Packages are replaced in place; a kernel update needs a reboot.'
              : 'A new deployment is written; the running system stays as it is until you reboot.'}
          </p>
        </ConfirmDialog>
      )}
      {confirm === 'rollback' && target && (
        <ConfirmDialog
          title="Roll back the OS?"
          confirmLabel={`Make ${target.version ?? 'it'} the default`}
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => {
            setConfirm(undefined);
            start('rollback');
          }}
        >
          <p>
            {deploymentLabel(target)} becomes the default at the next boot. The current deployment stays on
            disk until an upgrade replaces it (pin it to keep it).
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** The last check's failure as recorded by main: the catalogue's hint for its code, and what the page still shows. */
function lastCheckError(e: { code: string; message: string; detail?: string }): UiError {
  const known = (ERROR_CATALOGUE as Record<string, { hint: string } | undefined>)[e.code];
  const stale = 'The updates shown are from the last check that worked.';
  return toUiError({ ...e, hint: known ? `${known.hint} ${stale}` : stale });
}

function checkWords(
  o: { lastCheck?: { at: string; ok: boolean }; lastSuccessAt?: string } | undefined,
  now: number,
) {
  if (!o?.lastCheck) return 'never.';
  const at = timeAgo(Date.parse(o.lastCheck.at), now);
  if (o.lastCheck.ok) return `${at}.`;
  const ok = o.lastSuccessAt ? `; last success ${timeAgo(Date.parse(o.lastSuccessAt), now)}` : '';
  return `${at}, failed${ok}.`;
}

/** What an apply did, from its result: each update, and whether a reboot is needed to run it. An image backend's
 * new deployment is the default at the next boot and runs only after it, booted or not. */
function AppliedNote({ result }: { result: OsApplyResult | undefined }) {
  if (!result) return null;
  if (!result.applied.length)
    return <p role="status">Nothing to apply: the system was already up to date.</p>;
  const image = result.backend !== 'apt';
  return (
    <div className="banner" role="status">
      <p>
        <strong>Applied:</strong>{' '}
        {result.applied.map((u) => `${u.name} ${u.from ?? ''} → ${u.to ?? 'removed'}`).join(', ')}.
      </p>
      {(image || result.reboot.required) && (
        <p>
          Reboot needed to use it
          {image
            ? ': the new deployment is the default at the next boot'
            : `: ${result.reboot.why.join(', ')}`}
          .
        </p>
      )}
      {result.hooks.length > 0 && <p className="muted">Boot hooks: {result.hooks.join('; ')}</p>}
    </div>
  );
}

function RolledBackNote({ result }: { result: OsRollbackResult | undefined }) {
  if (!result) return null;
  return (
    <div className="banner" role="status">
      <p>
        <strong>Rolled back:</strong> {result.actions.join('; ')}.
      </p>
      {result.caveats.length > 0 && <p className="muted">{result.caveats.join(' ')}</p>}
    </div>
  );
}
