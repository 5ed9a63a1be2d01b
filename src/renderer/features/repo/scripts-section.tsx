import { useState } from 'react';
import type { RepoStatus, ScriptLink } from '../../../shared/repo/model';
import { useStore } from '../../app/store';
import { api } from '../../shared/api';
import { ErrorBox } from '../../shared/components/error-box';
import type { UiError } from '../../shared/errors';
import { ActionJob } from './action-job';
import { useRepoBusy, useRepoJob } from './use-repo-job';

const IN_BIN: Record<ScriptLink['inBinDir'], string> = {
  symlink: 'linked',
  'copy-current': 'copy, current',
  'copy-stale': 'copy, stale',
  missing: 'not there',
  other: 'another file',
};

/** The toolkit's scripts in the bin folder: per script what is there and whether PATH finds the clone's file. */
export function ScriptsSection({ status }: { status: RepoStatus }) {
  const start = useStore((s) => s.startRepoJob);
  const job = useRepoJob('link');
  const busy = useRepoBusy();
  const [copy, setCopy] = useState(false);
  const [refused, setRefused] = useState<UiError>();
  const link = (asCopy: boolean) => {
    setCopy(asCopy);
    void start('link', () => api().repo.link({ copy: asCopy })).then(setRefused);
  };
  return (
    <section className="card" aria-labelledby="repo-scripts">
      <h2 id="repo-scripts">Scripts</h2>
      <p>
        Linked into <code>{status.binDir}</code> (the Bin folder setting).
      </p>
      {status.scriptsProblem && <p className="warn">{status.scriptsProblem}</p>}
      {status.scripts.length === 0 && !status.scriptsProblem ? (
        <p className="muted">The clone has no scripts in scripts/usb-toolkit.</p>
      ) : (
        <table className="scripts">
          <thead>
            <tr>
              <th scope="col">Script</th>
              <th scope="col">In the bin folder</th>
              <th scope="col">On PATH</th>
            </tr>
          </thead>
          <tbody>
            {status.scripts.map((s) => (
              <tr key={s.name}>
                <td>
                  <code>{s.name}</code>
                </td>
                <td>{IN_BIN[s.inBinDir]}</td>
                <td className={s.resolvesToClone ? 'ok' : 'warn'}>
                  {s.resolvesToClone ? '✓ runs the clone’s script' : (s.problem ?? 'not found')}
                  {s.foundOnPath && !s.resolvesToClone && (
                    <>
                      {' '}
                      (<code>{s.foundOnPath}</code>)
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="section-actions">
        <button type="button" className="secondary" disabled={busy} onClick={() => link(false)}>
          Link scripts (symlinks)
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => link(true)}>
          Copy scripts
        </button>
      </div>
      {refused && <ErrorBox error={refused} onDismiss={() => setRefused(undefined)} />}
      <ActionJob job={job} title="Link" onRetry={() => link(copy)} />
    </section>
  );
}
