import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { JobProgress } from '../components/job-progress';
import { PathField } from '../components/path-field';
import { DEFAULT_SPEEDS, estimate, formatBytes } from '../format';
import { useStepJob, useStore } from '../store';

const PERSISTENCE_LABELS = ['persistence', 'casper-rw', 'writable'];

/** Step 3: copy the drive's persistence store into a new folder under the destination, then prove the copy. */
export function BackupStep() {
  const wizard = useStore((s) => s.wizard);
  const settings = useStore((s) => s.settings);
  const update = useStore((s) => s.update);
  const startJob = useStore((s) => s.startJob);
  const job = useStepJob('backup');
  const dest = wizard.backupDir ?? settings.backupDir;
  const [free, setFree] = useState<number | undefined>();
  const [needed, setNeeded] = useState<number | undefined>();

  useEffect(() => {
    let live = true;
    if (!dest?.startsWith('/')) return setFree(undefined);
    api()
      .getFreeSpace({ path: dest })
      .then((r) => live && setFree(r.free))
      .catch(() => live && setFree(undefined));
    return () => {
      live = false;
    };
  }, [dest, wizard.backup]);

  useEffect(() => {
    // The persistence partition's size bounds what the backup needs (the used space is known once copied).
    void api()
      .listDrives({ includeLoop: settings.includeLoop })
      .then((drives) => {
        const d = drives.find((x) => x.device === wizard.device);
        const p = d?.partitions.find((x) => x.label && PERSISTENCE_LABELS.includes(x.label));
        setNeeded(p?.size);
      })
      .catch(() => setNeeded(undefined));
  }, [wizard.device, settings.includeLoop]);

  const verified = wizard.backup?.manifest.verified === true;
  const running = job?.state === 'running';
  const run = () => {
    if (!dest || !wizard.device) return;
    void startJob('backup', {
      type: 'backup',
      params: { source: wizard.device, destRoot: dest, includeLoop: settings.includeLoop },
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (running) return;
    if (verified) void update({ step: 'flash' });
    else run();
  };

  return (
    <form onSubmit={submit} aria-labelledby="step-title">
      <h1 id="step-title" tabIndex={-1}>
        Back up your data
      </h1>
      <p className="lead">
        Copies the persistence store of <code>{wizard.device}</code> (your files, settings and models) into a
        new folder under the destination, then compares every file with its source. Earlier backups there are
        reused for unchanged files. Time: {estimate(needed, wizard.speeds?.backup, DEFAULT_SPEEDS.backup)} at
        most.
      </p>
      <PathField
        name="backup-dir"
        label="Backup destination folder"
        purpose="backup-dir"
        value={dest}
        placeholder="/home/you/kintsugi-backups"
        onChange={(v) => void update({ backupDir: v, backup: undefined })}
      />
      <dl className="facts compact" aria-label="Space">
        <dt>Needed</dt>
        <dd>
          {needed !== undefined
            ? `up to ${formatBytes(needed)} (size of the persistence store)`
            : 'unknown until the store is found'}
        </dd>
        <dt>Free there</dt>
        <dd className={free !== undefined && needed !== undefined && free < needed ? 'warn' : undefined}>
          {formatBytes(free)}
        </dd>
      </dl>
      {job && <JobProgress job={job} title="Backup" />}
      {wizard.backup && (
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
            <dd>{wizard.backup.path}</dd>
            <dt>Files</dt>
            <dd>{wizard.backup.manifest.files}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(wizard.backup.manifest.bytes)}</dd>
          </dl>
        </section>
      )}
      <div className="actions">
        <button
          type="button"
          className="secondary"
          onClick={() => void update({ step: 'drive' })}
          disabled={running}
        >
          Back
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => void update({ step: 'flash' })}
          disabled={running}
        >
          Skip to flash…
        </button>
        <button type="button" className="secondary" onClick={run} disabled={!dest || running}>
          {wizard.backup ? 'Back up again' : 'Back up'}
        </button>
        <button type="submit" disabled={!verified || running}>
          Continue
        </button>
      </div>
    </form>
  );
}
