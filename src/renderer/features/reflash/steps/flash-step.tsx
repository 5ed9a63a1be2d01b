import { useId, useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../components/confirm-dialog';
import { JobProgress } from '../components/job-progress';
import { DEFAULT_SPEEDS, estimate, formatBytes } from '../format';
import { useStepJob, useStore } from '../store';

/** Step 4: write the image. Locked until the backup is verified, or skipped by typing the device name exactly. */
export function FlashStep() {
  const wizard = useStore((s) => s.wizard);
  const includeLoop = useStore((s) => s.settings.includeLoop);
  const update = useStore((s) => s.update);
  const startJob = useStore((s) => s.startJob);
  const job = useStepJob('flash');
  const [typed, setTyped] = useState('');
  const [confirming, setConfirming] = useState(false);
  const typedId = useId();
  const device = wizard.device ?? '';
  const backupVerified = wizard.backup?.manifest.verified === true;
  const unlocked = backupVerified || wizard.backupSkipped === true;
  const running = job?.state === 'running';
  const image = wizard.image;
  const size = image?.bmap?.mappedBytes ?? image?.imageSize ?? image?.fileSize;

  const flash = () => {
    setConfirming(false);
    if (!image || !device) return;
    void startJob('flash', {
      type: 'flash',
      params: {
        image: image.path,
        device,
        includeLoop,
        bmap: image.bmap?.path,
        expectedSha256: image.checksum?.ok
          ? { target: image.checksum.target, value: image.checksum.expected }
          : undefined,
        verify: true,
      },
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (running) return;
    if (wizard.flash?.verified) void update({ step: wizard.backupSkipped ? 'done' : 'restore' });
    else if (unlocked) setConfirming(true);
  };

  return (
    <form onSubmit={submit} aria-labelledby="step-title">
      <h1 id="step-title" tabIndex={-1}>
        Flash the drive
      </h1>
      <p className="lead">
        Writes {image?.version ? `version ${image.version}` : 'the image'} to <code>{device}</code> and reads
        it back to prove every byte. Writes {formatBytes(size)}, then reads it again:{' '}
        {estimate(size, wizard.speeds?.flash, DEFAULT_SPEEDS.flash)} for each pass.
      </p>
      {!unlocked && (
        <section className="card locked" aria-label="Flashing is locked">
          <h2>🔒 Locked until your data is backed up</h2>
          <p>Flashing erases everything on {device}. Go back and make a verified backup first.</p>
          <p className="muted">
            If you really have nothing to keep, type the device name <code>{device}</code> to skip the backup.
          </p>
          <div className="field">
            <label htmlFor={typedId}>Device name to skip the backup</label>
            <input
              id={typedId}
              name="skip-confirm"
              type="text"
              spellCheck={false}
              autoComplete="off"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
            />
          </div>
          <button
            type="button"
            className="danger"
            disabled={typed !== device || device === ''}
            onClick={() => void update({ backupSkipped: true })}
          >
            Skip the backup
          </button>
        </section>
      )}
      {unlocked && !wizard.flash && !job && (
        <p className={backupVerified ? 'ok' : 'warn'}>
          {backupVerified
            ? `✓ Backup verified: ${wizard.backup?.path}`
            : '⚠ Backup skipped: nothing will be restored.'}
        </p>
      )}
      {job && <JobProgress job={job} title="Flash" />}
      {wizard.flash && (
        <section className="card" aria-label="Flash result">
          <h2>
            Flashed{' '}
            {wizard.flash.verified ? (
              <span className="badge ok">✓ verified</span>
            ) : (
              <span className="badge bad">not verified</span>
            )}
          </h2>
          <dl className="facts">
            <dt>Written</dt>
            <dd>{formatBytes(wizard.flash.bytesWritten)}</dd>
            <dt>sha256</dt>
            <dd className="hash">{wizard.flash.sha256}</dd>
          </dl>
        </section>
      )}
      {confirming && (
        <ConfirmDialog
          title={`Erase ${device}?`}
          confirmLabel={`Erase and flash ${device}`}
          onCancel={() => setConfirming(false)}
          onConfirm={flash}
        >
          <p>Everything on {device} will be replaced by the new image.</p>
        </ConfirmDialog>
      )}
      <div className="actions">
        <button
          type="button"
          className="secondary"
          onClick={() => void update({ step: 'backup' })}
          disabled={running}
        >
          Back
        </button>
        {!wizard.flash?.verified && (
          <button type="submit" disabled={!unlocked || running} aria-label="Flash the drive">
            Flash
          </button>
        )}
        {wizard.flash?.verified && <button type="submit">Continue</button>}
      </div>
    </form>
  );
}
