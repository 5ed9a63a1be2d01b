import { useState } from 'react';
import type {
  BuildResult,
  KernelInstallResult,
  KernelRollbackResult,
  PromoteResult,
} from '../../../shared/kernel/contract';
import { useStore } from '../../app/store';
import { api } from '../../shared/api';
import { ConfirmDialog } from '../../shared/components/confirm-dialog';
import { ErrorBox } from '../../shared/components/error-box';
import { JobProgress } from '../../shared/components/job-progress';
import { TypedConfirmDialog } from '../../shared/components/typed-confirm-dialog';
import { toUiError, type UiError } from '../../shared/errors';
import { useNow } from '../../shared/use-now';
import { BuildView, InstallView, PromoteView } from './job-results';
import { LiveLog } from './live-log';
import { ManifestSummary } from './manifest-summary';
import { heartbeatText, hostButtons, type KernelAction } from '../../../shared/kernel/page-rules';

const LABELS: Record<KernelAction, string> = {
  promote: 'Promote',
  build: 'Build',
  install: 'Install…',
  rollback: 'Roll back…',
};
const TITLES: Record<KernelAction, string> = {
  promote: 'Promote',
  build: 'Build',
  install: 'Install',
  rollback: 'Rollback',
};
const ACTIONS: KernelAction[] = ['promote', 'build', 'install', 'rollback'];

/** One host: its manifest, its install state on this machine and the four actions with their jobs. */
export function HostDetail({ host }: { host: string }) {
  const manifest = useStore((s) => s.kernelManifest);
  const status = useStore((s) => s.kernelStatus);
  const hostError = useStore((s) => s.kernelHostError);
  const started = useStore((s) => s.kernelJobs[host]);
  const jobs = useStore((s) => s.jobs);
  const now = useNow();
  const [refused, setRefused] = useState<UiError>();
  const [installing, setInstalling] = useState<string>();
  const [rollingBack, setRollingBack] = useState(false);

  const entries = ACTIONS.map((a) => ({ action: a, job: started?.[a] ? jobs[started[a]] : undefined }));
  const running = entries.some((e) => e.job?.state === 'running');
  const done = new Set(entries.filter((e) => e.job?.state === 'done').map((e) => e.action));
  const buttons = hostButtons(status, running, done);

  const start = async (action: KernelAction, packageFile?: string) => {
    setRefused(undefined);
    const err = await useStore.getState().startKernelJob(host, action, packageFile);
    if (err) setRefused(err);
    return err;
  };
  // The person picks the package with the native chooser; main and the helper check the path again.
  const pickPackage = async () => {
    setRefused(undefined);
    try {
      const picked = await api().app.pickPath({ purpose: 'kernel-package' });
      if (picked) setInstalling(picked);
    } catch (err) {
      setRefused(toUiError(err));
    }
  };
  const press = (a: KernelAction) =>
    a === 'install' ? void pickPackage() : a === 'rollback' ? setRollingBack(true) : void start(a);

  const pkgbase = manifest?.package.pkgbase ?? 'the kernel package';
  const replacing =
    status?.packageVersion === null
      ? `nothing (${pkgbase} is not installed there)`
      : `${pkgbase} ${status?.packageVersion ?? status?.installedVersion ?? '(version not known)'}`;
  return (
    <div className="kernel-host">
      <h2>{host}</h2>
      {hostError && <ErrorBox error={hostError} />}
      {status && (
        <section className="card" aria-labelledby="kernel-state-title">
          <h3 id="kernel-state-title">On this machine</h3>
          <p className={status.overdue ? 'bad' : undefined} data-testid="kernel-heartbeat">
            {heartbeatText(status, now)}
          </p>
          {status.note && <p className="warn">{status.note}</p>}
          <dl className="facts compact">
            {status.installedVersion && (
              <div className="fact-row">
                <dt>{status.state === 'rolled-back' ? 'Rolled back from' : 'Installed'}</dt>
                <dd>
                  {status.installedVersion} ({status.kernelRelease})
                </dd>
              </div>
            )}
            {status.backupPath !== undefined && (
              <div className="fact-row">
                <dt>Backup</dt>
                <dd>
                  <code>{status.backupPath ?? 'none (first install)'}</code>
                </dd>
              </div>
            )}
            <div className="fact-row">
              <dt>Root</dt>
              <dd>
                <code>{status.root}</code>
              </dd>
            </div>
          </dl>
        </section>
      )}
      {/* After the state: the heartbeat is what needs the person; the manifest is reference. */}
      {manifest && <ManifestSummary m={manifest} />}
      {refused && <ErrorBox error={refused} onDismiss={() => setRefused(undefined)} />}
      {entries.map(({ action, job }) =>
        job ? (
          <div key={action} className="kernel-job">
            <JobProgress
              job={job}
              title={TITLES[action]}
              onCancel={() => void useStore.getState().cancelJob(job.id)}
              onRetry={() => press(action)}
              retryDisabled={running}
            />
            {job.state === 'done' && <Result action={action} result={job.result} />}
            <LiveLog jobId={job.id} title={`${TITLES[action]} ${host}`} />
          </div>
        ) : null,
      )}
      <div className="step-actions">
        {ACTIONS.map((a) => (
          <button
            key={a}
            type="button"
            className={a === buttons.primary ? undefined : 'secondary'}
            data-primary={a === buttons.primary ? true : undefined}
            disabled={!buttons[a]}
            onClick={() => press(a)}
          >
            {LABELS[a]}
          </button>
        ))}
      </div>
      {installing && (
        <TypedConfirmDialog
          title={`Install a new kernel on ${host}?`}
          device={host}
          accepts={(t) => t.trim() === host}
          confirmLabel={`Install on ${host}`}
          onCancel={() => setInstalling(undefined)}
          onConfirm={async () => {
            const err = await start('install', installing);
            if (!err) setInstalling(undefined);
            return err;
          }}
        >
          <p>
            <code>{installing}</code> replaces {replacing} under <code>{status?.root ?? '/'}</code>. The
            replaced kernel is backed up first; if the new one does not send its heartbeat after the reboot,
            roll back.
          </p>
        </TypedConfirmDialog>
      )}
      {rollingBack && (
        <ConfirmDialog
          title={`Roll back ${host}'s kernel?`}
          confirmLabel={`Roll back ${host}`}
          onCancel={() => setRollingBack(false)}
          onConfirm={() => {
            setRollingBack(false);
            void start('rollback');
          }}
        >
          <p>
            {status?.installedVersion ?? 'The installed kernel'} goes, and{' '}
            {status?.replacedVersion ?? 'the kernel before it'} comes back from{' '}
            <code>{status?.backupPath ?? 'the package cache'}</code>.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function Result({ action, result }: { action: KernelAction; result: unknown }) {
  if (!result) return null;
  if (action === 'promote') return <PromoteView r={result as PromoteResult} />;
  if (action === 'build') return <BuildView r={result as BuildResult} />;
  if (action === 'install') return <InstallView r={result as KernelInstallResult} />;
  const r = result as KernelRollbackResult;
  return <p role="status">{r.nothing ?? `Rolled back: ${r.did.join('; ')}`}</p>;
}
