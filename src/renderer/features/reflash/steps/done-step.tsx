import { WIZARD_STEPS } from '../../shared/model';
import { STEP_TITLES } from '../components/step-nav';
import { formatBytes, formatDuration } from '../format';
import { useStore } from '../store';

/** Step 6: what was done, with the numbers to keep, and what to do next. */
export function DoneStep() {
  const wizard = useStore((s) => s.wizard);
  const resetWizard = useStore((s) => s.resetWizard);
  const { image, flash, backup, restore } = wizard;
  return (
    <section aria-labelledby="step-title">
      <h1 id="step-title" tabIndex={-1}>
        Your drive is up to date
      </h1>
      <p className="lead">
        {image?.version ? `Kintsugi ${image.version}` : 'The new image'} is on <code>{wizard.device}</code>
        {restore?.verified ? ' and your data is back in place.' : '.'}
      </p>
      <section className="card" aria-label="Summary">
        <dl className="facts">
          <dt>Image</dt>
          <dd>
            {image?.path} {image?.version ? `(version ${image.version})` : ''}
          </dd>
          {image?.checksum && (
            <>
              <dt>Published sha256</dt>
              <dd>
                <span className="hash">{image.checksum.expected}</span>
                <br />
                <span className="muted">
                  of the {image.checksum.target === 'compressed' ? 'compressed file' : 'decompressed image'}
                </span>
              </dd>
            </>
          )}
          {flash && (
            <>
              <dt>Written sha256</dt>
              <dd className="hash">{flash.sha256}</dd>
              <dt>Bytes written</dt>
              <dd>
                {formatBytes(flash.bytesWritten)} {flash.verified ? '(read back and verified)' : ''}
              </dd>
            </>
          )}
          <dt>Backup</dt>
          <dd>
            {backup
              ? `${backup.path} (${backup.manifest.files} files, ${formatBytes(backup.manifest.bytes)})`
              : 'skipped'}
          </dd>
          {restore && (
            <>
              <dt>Restored</dt>
              <dd>
                {restore.files} files, {formatBytes(restore.bytes)} {restore.verified ? '(verified)' : ''}
              </dd>
            </>
          )}
        </dl>
        <h2 className="spaced">Time per step</h2>
        <dl className="facts compact">
          {WIZARD_STEPS.filter((s) => wizard.durations[s] !== undefined).map((s) => (
            <div key={s} className="fact-row">
              <dt>{STEP_TITLES[s]}</dt>
              <dd>{formatDuration((wizard.durations[s] ?? 0) / 1000)}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card" aria-label="Next steps">
        <h2>Next steps</h2>
        <ol className="follow-ups">
          <li>
            Boot from the drive and re-link the scripts: run <code>kintsugi-link-scripts</code> (or{' '}
            <code>git pull</code> in the repo, then link).
          </li>
          <li>
            Verify your models: open the Models page, or run <code>ollama list</code> and check each model
            loads.
          </li>
          <li>Keep the backup until you have checked your files.</li>
        </ol>
      </section>
      <div className="actions">
        <button type="button" onClick={() => void resetWizard()}>
          Start a new reflash
        </button>
      </div>
    </section>
  );
}
