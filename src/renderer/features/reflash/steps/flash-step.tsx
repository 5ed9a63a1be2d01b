import { useId, useState, type FormEvent } from 'react';
import { StepJob } from '../step-job';
import type { ReflashState } from '../../../../shared/reflash/state';
import { useStore } from '../../../app/store';
import { TypedConfirmDialog } from '../../../shared/components/typed-confirm-dialog';
import { DEFAULT_SPEEDS, estimate, formatBytes } from '../../../shared/format';
import { backupVerified, driveWritten, flashBytesOf, flashUnlocked, nextStep } from '../flow';
import { SkipBackup } from '../skip-backup';
import { useStepJob } from '../use-step-job';

/**
 * Step 4: write the image. Locked until the backup is verified or skipped by a typed confirmation; every start
 * (a retry after a cancel or a failure too) asks for the device name again, and main checks it.
 */
export function FlashStep({ state }: { state: ReflashState }) {
  const busy = useStore((s) => s.reflashBusy);
  const job = useStepJob('flash');
  const [confirming, setConfirming] = useState(false);
  const writtenNoteId = useId();
  const device = state.device ?? '';
  const verifiedBackup = backupVerified(state);
  const unlocked = flashUnlocked(state);
  const written = driveWritten(state);
  const running = job?.state === 'running';
  // A failed or interrupted flash says itself what it left; the general warning would repeat it.
  const jobUnfinished = job?.state === 'failed' || job?.state === 'interrupted';
  const flashed = state.flash?.verified === true;
  const image = state.image;
  const writes = flashBytesOf(image);

  const ask = () => {
    if (!running && !busy && unlocked) setConfirming(true);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (running || busy) return;
    if (flashed) void useStore.getState().goTo(nextStep(state, 'flash'));
    else ask();
  };

  return (
    <>
      <form onSubmit={submit} aria-labelledby="step-title">
        <h1 id="step-title" tabIndex={-1}>
          Flash the drive
        </h1>
        <p className="lead">
          Writes {image?.version ? `version ${image.version}` : 'the image'} to <code>{device}</code> and
          reads it back to prove every byte. Writes {writes?.atLeast ? 'at least ' : ''}
          {formatBytes(writes?.bytes)}, then reads it again:{' '}
          {estimate(writes?.bytes, state.speeds?.flash, DEFAULT_SPEEDS.flash)} for each pass.
        </p>
        {!unlocked && (
          <>
            <section className="card locked" aria-label="Flashing is locked">
              <h2>Locked until your data is backed up</h2>
              <p>Flashing erases everything on {device}. Go back and make a verified backup first.</p>
            </section>
            <SkipBackup device={device} />
          </>
        )}
        {unlocked && !state.flash && !running && (
          <p className={verifiedBackup ? 'ok' : 'warn'}>
            {verifiedBackup
              ? `✓ Backup verified: ${state.backup?.path}`
              : '⚠ Backup skipped: nothing will be restored.'}
          </p>
        )}
        {written && !flashed && !running && !jobUnfinished && (
          <p className="warn" id={writtenNoteId}>
            ⚠ <code>{state.writtenDevice}</code> has been partly written and holds no usable system now: flash
            it again to finish.
            {state.backup ? ` Your backup in ${state.backup.path} is untouched and is restored after.` : ''}
          </p>
        )}
        {job && <StepJob job={job} title="Flash" onRetry={ask} retryDisabled={busy} />}
        {job && (job.state === 'failed' || job.state === 'interrupted') && state.backup && (
          <p className="job-left">
            Your data is safe in the verified backup <code>{state.backup.path}</code>: flash again, then
            restore it.
          </p>
        )}
        {state.flash && (
          <section className="card" aria-label="Flash result">
            <h2>
              Flashed{' '}
              {state.flash.verified ? (
                <span className="badge ok">✓ verified</span>
              ) : (
                <span className="badge bad">not verified</span>
              )}
            </h2>
            <dl className="facts">
              <dt>Written</dt>
              <dd>{formatBytes(state.flash.bytesWritten)}</dd>
              {state.flash.fingerprint && (
                <>
                  <dt>Read back ({state.flash.fingerprint.algorithm})</dt>
                  <dd className="hash">{state.flash.fingerprint.hex}</dd>
                </>
              )}
            </dl>
          </section>
        )}
        {written && (
          <p className="muted" id={`${writtenNoteId}-closed`}>
            The backup step is closed: the drive has been written, so the backup to restore is the one taken
            before.
          </p>
        )}
        <div className="actions step-actions">
          <button
            type="button"
            className="secondary"
            onClick={() => void useStore.getState().goTo('backup')}
            disabled={running || busy || written}
            aria-describedby={written ? `${writtenNoteId}-closed` : undefined}
          >
            Back
          </button>
          {!flashed && (
            <button
              type="submit"
              data-primary
              disabled={!unlocked || running || busy}
              aria-label="Flash the drive"
            >
              {written ? 'Flash again' : 'Flash'}
            </button>
          )}
          {flashed && (
            <button type="submit" data-primary disabled={busy}>
              Continue
            </button>
          )}
        </div>
      </form>
      {confirming && (
        <TypedConfirmDialog
          title={`Erase ${device}?`}
          device={device}
          confirmLabel={`Erase and flash ${device}`}
          onCancel={() => setConfirming(false)}
          onConfirm={async (typed) => {
            const r = await useStore.getState().startFlash(typed, { quiet: true });
            if (r.ok) setConfirming(false);
            return r.ok ? undefined : r.error;
          }}
        >
          <p>Everything on {device} will be replaced by the new image.</p>
          <p className="muted">
            {verifiedBackup
              ? `Your backup in ${state.backup?.path} is restored in the next step.`
              : 'The backup was skipped: nothing will be restored.'}
          </p>
        </TypedConfirmDialog>
      )}
    </>
  );
}
