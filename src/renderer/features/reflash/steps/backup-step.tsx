import { useEffect, useState, type FormEvent } from 'react';
import { StepJob } from '../step-job';
import type { ReflashState } from '../../../../shared/reflash/state';
import { useStore } from '../../../app/store';
import { api } from '../../../shared/api';
import { PathField } from '../../../shared/components/path-field';
import { DEFAULT_SPEEDS, estimate, formatBytes } from '../../../shared/format';
import { BackupNeedFact, backupBytes, tooLittleRoom } from '../backup-need-fact';
import { backupVerified } from '../flow';
import { SkipBackup } from '../skip-backup';
import { useBackupNeed } from '../use-backup-need';
import { useStepJob } from '../use-step-job';

const PERSISTENCE_LABELS = ['persistence', 'casper-rw', 'writable'];

/** Step 3: main copies the drive's persistence store into a new folder under the destination, then proves it. */
export function BackupStep({ state }: { state: ReflashState }) {
  const settings = useStore((s) => s.settings);
  const busy = useStore((s) => s.reflashBusy);
  const job = useStepJob('backup');
  const [dest, setDest] = useState<string | undefined>(state.backupDir ?? settings.backupDir);
  const [skipping, setSkipping] = useState(false);
  const [free, setFree] = useState<number | undefined>();
  const [partitionSize, setPartitionSize] = useState<number | undefined>();
  const device = state.device ?? '';
  const folder = dest?.trim();
  const need = useBackupNeed(state.device, folder);

  useEffect(() => {
    let live = true;
    if (!folder?.startsWith('/')) return setFree(undefined);
    api()
      .app.getFreeSpace({ path: folder })
      .then((r) => live && setFree(r.free))
      .catch(() => live && setFree(undefined));
    return () => {
      live = false;
    };
  }, [folder, state.backup]);

  useEffect(() => {
    // When main cannot read the store (no rights to read the drive), a persistence partition's size still
    // bounds what the backup needs; the drive list knows it without reading the drive.
    let live = true;
    api()
      .drives.list({ includeLoop: settings.includeLoop })
      .then((drives) => {
        const d = drives.find((x) => x.device === state.device);
        const p = d?.partitions.find((x) => x.label && PERSISTENCE_LABELS.includes(x.label));
        if (live) setPartitionSize(p?.size);
      })
      .catch(() => live && setPartitionSize(undefined));
    return () => {
      live = false;
    };
  }, [state.device, settings.includeLoop]);

  const verified = backupVerified(state);
  const running = job?.state === 'running';
  const run = () => {
    if (!folder?.startsWith('/') || running || busy) return;
    void useStore.getState().startBackup(folder);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (running || busy) return;
    if (verified) void useStore.getState().goTo('flash');
    else run();
  };

  return (
    <form onSubmit={submit} aria-labelledby="step-title">
      <h1 id="step-title" tabIndex={-1}>
        Back up your data
      </h1>
      <p className="lead">
        Copies the persistence store of <code>{device}</code> (your files, settings and models) into a new
        folder under the destination, then compares every file with its source. Earlier backups there are
        reused for unchanged files. Time:{' '}
        {backupBytes(need) !== undefined
          ? `${estimate(backupBytes(need), state.speeds?.backup, DEFAULT_SPEEDS.backup)} at most`
          : 'known once the store is measured'}
        .
      </p>
      <PathField
        name="backup-dir"
        label="Backup destination folder"
        purpose="backup-dir"
        value={dest}
        placeholder="/home/you/kintsugi-backups"
        onChange={setDest}
      />
      <dl className="facts compact" aria-label="Space">
        <BackupNeedFact need={need} />
        {need?.known === false && partitionSize !== undefined && (
          <>
            <dt>At most</dt>
            <dd>{formatBytes(partitionSize)} (the size of its persistence partition)</dd>
          </>
        )}
        <dt>Free there</dt>
        <dd className={tooLittleRoom(need, free) ? 'warn' : undefined}>
          {formatBytes(free)}
          {tooLittleRoom(need, free) ? ': not enough for this backup' : ''}
        </dd>
      </dl>
      {job && <StepJob job={job} title="Backup" onRetry={run} retryDisabled={!folder || busy} />}
      {state.backup && (
        <section className="card" aria-label="Backup result">
          <h2>
            Backup{' '}
            {verified ? (
              <span className="badge ok">✓ verified</span>
            ) : (
              <span className="badge bad">not verified</span>
            )}
          </h2>
          <dl className="facts">
            <dt>Folder</dt>
            <dd>{state.backup.path}</dd>
            <dt>Files</dt>
            <dd>{state.backup.manifest.files}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(state.backup.manifest.bytes)}</dd>
          </dl>
        </section>
      )}
      {skipping && !verified && <SkipBackup device={device} />}
      <div className="actions step-actions">
        <button
          type="button"
          className="secondary"
          onClick={() => void useStore.getState().goTo('drive')}
          disabled={running || busy}
        >
          Back
        </button>
        {!verified && (
          <button
            type="button"
            className="secondary"
            onClick={() => setSkipping(!skipping)}
            disabled={running}
            aria-expanded={skipping}
          >
            Skip the backup…
          </button>
        )}
        {/* The primary (Enter) action is Back up until a verified backup exists, then Continue. */}
        <button
          type={verified ? 'button' : 'submit'}
          data-primary={verified ? undefined : true}
          className="secondary"
          onClick={verified ? run : undefined}
          disabled={!folder?.startsWith('/') || running || busy}
        >
          {state.backup ? 'Back up again' : 'Back up'}
        </button>
        <button
          type={verified ? 'submit' : 'button'}
          data-primary={verified ? true : undefined}
          disabled={!verified || running || busy}
        >
          Continue
        </button>
      </div>
    </form>
  );
}
