import { useState, type FormEvent } from 'react';
import { StepJob } from '../step-job';
import type { ReflashState } from '../../../../shared/reflash/state';
import { useStore } from '../../../app/store';
import { TypedConfirmDialog } from '../../../shared/components/typed-confirm-dialog';
import { DEFAULT_SPEEDS, estimate, formatBytes } from '../../../shared/format';
import { restoreComplete } from '../flow';
import { useStepJob } from '../use-step-job';

/** Step 5: main copies the backup recorded before the flash into the confirmed drive's new persistence store,
 * then verifies it. Restoring an existing backup onto a drive this flow did not flash overwrites files there, so
 * it is confirmed by typing the device name (main checks it again). */
export function RestoreStep({ state }: { state: ReflashState }) {
  const busy = useStore((s) => s.reflashBusy);
  const job = useStepJob('restore');
  const running = job?.state === 'running';
  const backup = state.backup;
  const complete = restoreComplete(state);
  const [confirming, setConfirming] = useState(false);
  const device = state.device ?? '';

  const run = () => {
    if (running || busy || !backup) return;
    if (state.restoreOnly) setConfirming(true);
    else void useStore.getState().startRestore();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (running || busy) return;
    if (complete || !backup) void useStore.getState().goTo('done');
    else run();
  };

  return (
    <>
      <form onSubmit={submit} aria-labelledby="step-title">
        <h1 id="step-title" tabIndex={-1}>
          Restore your data
        </h1>
        {state.flash?.verified && !state.restoreOnly && (
          <p className="ok">
            ✓ <code>{state.flash.device}</code> flashed and verified ({formatBytes(state.flash.bytesWritten)})
          </p>
        )}
        {backup ? (
          <p className="lead">
            Copies the backup <code>{backup.path}</code> ({backup.manifest.files} files,{' '}
            {formatBytes(backup.manifest.bytes)}) into the {state.restoreOnly ? '' : "new image's "}
            persistence store on <code>{state.device}</code>, then compares every file. Time:{' '}
            {estimate(
              backup.manifest.bytes,
              state.speeds?.restore ?? state.speeds?.backup,
              DEFAULT_SPEEDS.restore,
            )}
            .
          </p>
        ) : (
          <p className="lead">The backup was skipped, so there is nothing to restore.</p>
        )}
        {job && <StepJob job={job} title="Restore" onRetry={run} retryDisabled={busy} />}
        {state.restore && (
          <section className="card" aria-label="Restore result">
            <h2>
              Restored{' '}
              {complete ? (
                <span className="badge ok">✓ verified</span>
              ) : (
                <span className="badge bad">incomplete</span>
              )}
            </h2>
            <dl className="facts">
              <dt>Files</dt>
              <dd>
                {state.restore.files}
                {backup ? ` of ${backup.manifest.files}` : ''}
              </dd>
              <dt>Size</dt>
              <dd>{formatBytes(state.restore.bytes)}</dd>
            </dl>
            {!complete && backup && (
              <p className="warn">
                Not all of the backup is back in place{state.restore.verified ? '' : ' (not verified)'}. The
                backup in <code>{backup.path}</code> is untouched: restore again.
              </p>
            )}
          </section>
        )}
        <div className="actions step-actions">
          {backup && !complete && (
            <button type="submit" data-primary disabled={running || busy}>
              {state.restore ? 'Restore again' : 'Restore'}
            </button>
          )}
          {(complete || !backup) && (
            <button type="submit" data-primary disabled={busy}>
              Continue
            </button>
          )}
        </div>
      </form>
      {/* Outside the step's form: a dialog is a form of its own, and forms do not nest. */}
      {confirming && (
        <TypedConfirmDialog
          title={`Restore onto ${device}?`}
          device={device}
          confirmLabel={`Restore onto ${device}`}
          onConfirm={async (typed) => {
            const r = await useStore.getState().startRestore(typed, { quiet: true });
            if (r.ok) setConfirming(false);
            return r.ok ? undefined : r.error;
          }}
          onCancel={() => setConfirming(false)}
        >
          <p>
            Files in the persistence store on <code>{device}</code> with the same names as in the backup are
            overwritten; other files stay. Type the device name to go on.
          </p>
        </TypedConfirmDialog>
      )}
    </>
  );
}
