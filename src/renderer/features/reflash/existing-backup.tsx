import { useCallback, useEffect, useRef, useState } from 'react';
import { ChoiceCard } from '../../shared/components/choice-card';
import type { BackupSummary } from '../../../shared/model';
import { useStore } from '../../app/store';
import { api } from '../../shared/api';
import { ErrorBox } from '../../shared/components/error-box';
import { PathField } from '../../shared/components/path-field';
import { toUiError, type UiError } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import { backupUsable } from '../../../shared/backup/usable';
import { BackupFacts } from './backup-facts';
import { checkOutcome } from '../../../shared/backup/check-outcome';

/**
 * "Restore an existing backup" as its own flow: choose the folder of backups, one verified backup in it, then
 * (on the next steps) the drive to put it into. Main checks the backup and starts the restore flow.
 */
export function ExistingBackupPanel() {
  const settingsDir = useStore((s) => s.settings.backupDir);
  const busy = useStore((s) => s.reflashBusy);
  const [dir, setDir] = useState<string | undefined>(settingsDir);
  const [found, setFound] = useState<BackupSummary[] | undefined>();
  const [chosen, setChosen] = useState<string | undefined>();
  const [error, setError] = useState<UiError | undefined>();
  const asked = useRef(0);
  // By backup path: the Check job started from this list, and what starting it failed with.
  const [checks, setChecks] = useState<Record<string, string>>({});
  const [checkErrors, setCheckErrors] = useState<Record<string, UiError>>({});
  const jobs = useStore((s) => s.jobs);

  const find = useCallback(async (folder: string | undefined) => {
    const ask = ++asked.current;
    setFound(undefined);
    setChosen(undefined);
    setError(undefined);
    const d = folder?.trim();
    if (!d?.startsWith('/')) return;
    try {
      const list = await api().backup.list({ dir: d });
      if (ask !== asked.current) return; // a newer folder was asked for meanwhile
      // Newest first; the newest verified one is preselected.
      list.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt));
      setFound(list);
      setChosen(list.find((b) => backupUsable(b.manifest, b.lastCheck))?.path);
    } catch (err) {
      if (ask === asked.current) setError(toUiError(err));
    }
  }, []);
  // After a check ends, the list is read again: a failed check makes a backup unusable (shared/backup/usable.ts).
  const ended = Object.values(checks).filter((id) => {
    const state = jobs[id]?.state;
    return state !== undefined && state !== 'running';
  }).length;
  useEffect(() => {
    if (ended === 0 || !dir?.trim().startsWith('/')) return;
    void api()
      .backup.list({ dir: dir.trim() })
      .then((list) => {
        list.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt));
        setFound(list);
        setChosen((c) => {
          const b = list.find((x) => x.path === c);
          return b && backupUsable(b.manifest, b.lastCheck) ? c : undefined;
        });
      })
      .catch(() => undefined);
    // Only when another check ended (dir is read, not watched): the folder's own changes go through find.
  }, [ended]);

  const check = async (path: string) => {
    setCheckErrors(({ [path]: _, ...rest }) => rest);
    try {
      const { jobId } = await api().backup.check({ backupDir: path });
      useStore.getState().trackJob({ id: jobId, type: 'backup-check' });
      setChecks((c) => ({ ...c, [path]: jobId }));
    } catch (err) {
      setCheckErrors((e) => ({ ...e, [path]: toUiError(err) }));
    }
  };

  // Listed as the folder is typed or picked (after a pause in typing).
  useEffect(() => {
    const t = setTimeout(() => void find(dir), 300);
    return () => clearTimeout(t);
  }, [find, dir]);

  const use = async () => {
    if (!chosen) return;
    const r = await useStore.getState().useExistingBackup(chosen, { quiet: true });
    if (!r.ok) setError(r.error);
    else if (r.state.step === 'image') void useStore.getState().goTo('drive');
  };

  return (
    <section className="card" aria-labelledby="existing-title">
      <h2 id="existing-title">Restore an existing backup</h2>
      <p className="muted">
        Puts a backup made earlier back into a drive’s persistence store, without flashing anything.
      </p>
      <PathField
        name="existing-backup-dir"
        label="Folder of backups"
        purpose="backup-dir"
        value={dir}
        placeholder="/home/you/kintsugi-backups"
        onChange={setDir}
      />
      {error && <ErrorBox error={error} />}
      {found?.length === 0 && <p className="muted">No Kintsugi backups in this folder.</p>}
      {found && found.length > 0 && (
        <fieldset className="drives">
          <legend className="sr-only">Backups</legend>
          {found.map((b) => {
            const { path, manifest: m } = b;
            const usable = backupUsable(m, b.lastCheck);
            const job = checks[path] ? jobs[checks[path]] : undefined;
            const outcome = job ? checkOutcome(job) : undefined;
            return (
              <ChoiceCard
                key={path}
                group="existing-backup"
                value={path}
                chosen={chosen === path}
                blocked={!usable}
                onChoose={() => setChosen(path)}
                title={new Date(m.createdAt).toLocaleString()}
                meta={
                  <>
                    <code>{path}</code> · {m.files} files · {formatBytes(m.bytes)}
                    {m.sourceDescription ? ` · from ${m.sourceDescription}` : ''}
                    <BackupFacts backup={b} />
                  </>
                }
                notes={
                  usable && !outcome && !checkErrors[path] ? undefined : (
                    <>
                      {!usable && (
                        <span className="issue block">
                          {b.lastCheck?.ok === false
                            ? '✕ damaged (its last check failed): cannot be restored'
                            : '✕ not verified: cannot be restored'}
                        </span>
                      )}
                      {outcome && (
                        <span
                          role="status"
                          className={`block ${outcome.kind === 'ok' ? 'ok' : outcome.kind === 'running' ? 'muted' : 'issue'}`}
                        >
                          {outcome.text}
                          {outcome.kind === 'damaged' &&
                            outcome.files.map((f) => (
                              <code key={f} className="block">
                                {f}
                              </code>
                            ))}
                        </span>
                      )}
                      {checkErrors[path] && <ErrorBox error={checkErrors[path]} />}
                    </>
                  )
                }
                actions={
                  m.index ? (
                    <button
                      type="button"
                      className="secondary"
                      disabled={outcome?.kind === 'running'}
                      onClick={() => void check(path)}
                      aria-label={`Check the backup of ${new Date(m.createdAt).toLocaleString()}`}
                    >
                      Check
                    </button>
                  ) : undefined
                }
              />
            );
          })}
        </fieldset>
      )}
      <div className="actions">
        <button
          type="button"
          className="secondary"
          onClick={() => useStore.getState().setExistingBackupOpen(false)}
        >
          Close
        </button>
        <button type="button" onClick={() => void use()} disabled={!chosen || busy}>
          Restore this backup…
        </button>
      </div>
    </section>
  );
}
