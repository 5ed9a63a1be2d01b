import type { ReflashState } from '../../../../shared/reflash/state';
import { useStore } from '../../../app/store';
import { formatBytes, formatDuration } from '../../../shared/format';
import { flowSteps, restoreComplete, STEP_TITLES } from '../flow';

/** Step 6: what was done, with the numbers to keep, and what to do next. Says the data is back only when the
 * restore was verified and brought back every file of the backup. */
export function DoneStep({ state }: { state: ReflashState }) {
  const busy = useStore((s) => s.reflashBusy);
  const { image, flash, backup, restore } = state;
  const complete = restoreComplete(state);
  const restoreOnly = state.restoreOnly === true;
  const timed = flowSteps(state).filter((s) => state.durations[s] !== undefined);
  return (
    <section aria-labelledby="step-title">
      <h1 id="step-title" tabIndex={-1}>
        {restoreOnly ? 'Restore finished' : 'Your drive is up to date'}
      </h1>
      <p className="lead">
        {restoreOnly ? (
          <>
            The backup went into <code>{state.device}</code>
            {complete ? ' and your data is back in place.' : '.'}
          </>
        ) : (
          <>
            {image?.version ? `Kintsugi ${image.version}` : 'The new image'} is on <code>{state.device}</code>
            {complete ? ' and your data is back in place.' : '.'}
          </>
        )}
      </p>
      <DataStatus state={state} complete={complete} />
      {(flash?.verified || restore?.verified) && (
        // Every write went past the caches (O_DIRECT, or flushed and unmounted after a restore): nothing is
        // pending, so the person can pull the stick now, without an eject.
        <p className="ok" role="status">
          ✓ You can remove <code>{state.device}</code> now: everything is written and checked.
        </p>
      )}
      <section className="card" aria-label="Summary">
        <dl className="facts">
          {!restoreOnly && (
            <>
              <dt>Image</dt>
              <dd>
                {image?.path} {image?.version ? `(version ${image.version})` : ''}
              </dd>
            </>
          )}
          {image?.checksum && !restoreOnly && (
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
              {flash.fingerprint && (
                <>
                  <dt>Written and read back ({flash.fingerprint.algorithm})</dt>
                  <dd className="hash">{flash.fingerprint.hex}</dd>
                </>
              )}
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
        {timed.length > 0 && (
          <>
            <h2 className="spaced">Time per step</h2>
            <dl className="facts compact">
              {timed.map((s) => (
                <div key={s} className="fact-row">
                  <dt>{STEP_TITLES[s]}</dt>
                  <dd>{formatDuration((state.durations[s] ?? 0) / 1000)}</dd>
                </div>
              ))}
            </dl>
          </>
        )}
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
      <div className="actions step-actions">
        {backup && !complete && (
          <button
            type="button"
            data-primary
            onClick={() => void useStore.getState().goTo('restore')}
            disabled={busy}
          >
            Restore now
          </button>
        )}
        <button
          type="button"
          data-primary={backup && !complete ? undefined : true}
          className={backup && !complete ? 'secondary' : undefined}
          onClick={() => useStore.getState().setStartOverOpen(true)}
          disabled={busy}
        >
          {restoreOnly ? 'Back to the start' : 'Start a new reflash'}
        </button>
      </div>
    </section>
  );
}

/** Where the user's data is, in plain words, whenever it is not all back in place. */
function DataStatus({ state, complete }: { state: ReflashState; complete: boolean }) {
  const { backup, restore } = state;
  if (complete) return null;
  if (!backup) {
    return <p className="warn">⚠ The backup was skipped: nothing was restored to the drive.</p>;
  }
  const where = (
    <>
      Your backup is in <code>{backup.path}</code> ({backup.manifest.files} files,{' '}
      {formatBytes(backup.manifest.bytes)}).
    </>
  );
  return (
    <section className="card locked" aria-label="Your data">
      <h2>⚠ Your data is not back in place yet</h2>
      <p>
        {!restore
          ? 'The backup has not been restored into the drive. '
          : `Only ${restore.files} of ${backup.manifest.files} files were restored${restore.verified ? '' : ', and the restore was not verified'}. `}
        {where}
      </p>
    </section>
  );
}
