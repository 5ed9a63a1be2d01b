import type { FormEvent } from 'react';
import { JobProgress } from '../components/job-progress';
import { DEFAULT_SPEEDS, estimate, formatBytes } from '../format';
import { useStepJob, useStore } from '../store';

/** Step 5: copy the verified backup into the new image's persistence store on the drive, then verify it. */
export function RestoreStep() {
  const wizard = useStore((s) => s.wizard);
  const includeLoop = useStore((s) => s.settings.includeLoop);
  const update = useStore((s) => s.update);
  const startJob = useStore((s) => s.startJob);
  const job = useStepJob('restore');
  const running = job?.state === 'running';
  const backup = wizard.backup;
  const restored = wizard.restore?.verified === true;

  const run = () => {
    if (!backup || !wizard.device) return;
    void startJob('restore', {
      type: 'restore',
      params: { backupDir: backup.path, target: wizard.device, includeLoop },
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (running) return;
    if (restored || !backup) void update({ step: 'done' });
    else run();
  };

  return (
    <form onSubmit={submit} aria-labelledby="step-title">
      <h1 id="step-title" tabIndex={-1}>
        Restore your data
      </h1>
      {backup ? (
        <p className="lead">
          Copies the backup <code>{backup.path}</code> ({backup.manifest.files} files,{' '}
          {formatBytes(backup.manifest.bytes)}) into the new image's persistence store on{' '}
          <code>{wizard.device}</code>, then compares every file. Time:{' '}
          {estimate(
            backup.manifest.bytes,
            wizard.speeds?.restore ?? wizard.speeds?.backup,
            DEFAULT_SPEEDS.restore,
          )}
          .
        </p>
      ) : (
        <p className="lead">The backup was skipped, so there is nothing to restore.</p>
      )}
      {job && <JobProgress job={job} title="Restore" />}
      {wizard.restore && (
        <section className="card" aria-label="Restore result">
          <h2>
            Restored{' '}
            {restored ? (
              <span className="badge ok">✓ verified</span>
            ) : (
              <span className="badge bad">not verified</span>
            )}
          </h2>
          <dl className="facts">
            <dt>Files</dt>
            <dd>{wizard.restore.files}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(wizard.restore.bytes)}</dd>
          </dl>
        </section>
      )}
      <div className="actions">
        {backup && !restored && (
          <button type="submit" disabled={running}>
            Restore
          </button>
        )}
        {(restored || !backup) && <button type="submit">Continue</button>}
      </div>
    </form>
  );
}
