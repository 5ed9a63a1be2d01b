import { useState } from 'react';
import { confirmsDiscard } from '../../../shared/repo/confirm';
import { DISCARD_WORD } from '../../../shared/repo/contract';
import type { ReflogEntry, RepoStatus } from '../../../shared/repo/model';
import { useStore } from '../../app/store';
import { api } from '../../shared/api';
import { ConfirmDialog } from '../../shared/components/confirm-dialog';
import { TypedConfirmDialog } from '../../shared/components/typed-confirm-dialog';
import { ActionJob } from './action-job';
import { useRepoBusy, useRepoJob } from './use-repo-job';

/**
 * Roll back to an earlier HEAD from the reflog. With uncommitted changes the move may lose them: the dialog then
 * asks for DISCARD typed, the word main checks again (it refuses a move that would overwrite them otherwise).
 */
export function RollbackSection({ status, reflog }: { status: RepoStatus; reflog: ReflogEntry[] }) {
  const start = useStore((s) => s.startRepoJob);
  const job = useRepoJob('rollback');
  const busy = useRepoBusy();
  const [target, setTarget] = useState<ReflogEntry>();
  const [last, setLast] = useState<{ ref: string; typed?: string }>();
  // HEAD@{0} is where the clone is now: not a place to roll back to.
  const earlier = reflog.filter((e) => e.selector !== 'HEAD@{0}').slice(0, 8);
  const dirty = status.dirty.length > 0;
  const go = (ref: string, typed?: string) => {
    setLast({ ref, typed });
    return start('rollback', () => api().repo.rollback({ ref, ...(typed ? { typed } : {}) }));
  };
  if (earlier.length === 0) return null;
  return (
    <section className="card" aria-labelledby="repo-rollback">
      <h2 id="repo-rollback">Roll back</h2>
      <p className="muted">Earlier positions of the clone (newest first). A pull brings it forward again.</p>
      <ul className="plain">
        {earlier.map((e) => (
          <li key={e.selector} className="reflog-row">
            <span className="hash">{e.short}</span> {e.subject} <span className="muted">({e.action})</span>{' '}
            <button
              type="button"
              className="secondary small"
              disabled={busy}
              aria-label={`Roll back here, to ${e.short}: ${e.subject}`}
              onClick={() => {
                // Files may have changed since the page read the clone: read it again, so the dialog asks for
                // DISCARD exactly when main will.
                void useStore
                  .getState()
                  .loadRepo()
                  .then(() => setTarget(e));
              }}
            >
              Roll back here
            </button>
          </li>
        ))}
      </ul>
      <ActionJob job={job} title="Roll back" onRetry={() => last && void go(last.ref, last.typed)} />
      {target && !dirty && (
        <ConfirmDialog
          title={`Roll back to ${target.short}?`}
          confirmLabel="Roll back"
          onCancel={() => setTarget(undefined)}
          onConfirm={() => {
            setTarget(undefined);
            void go(target.hash);
          }}
        >
          <p>
            The clone moves back to <span className="hash">{target.short}</span> {target.subject}.
          </p>
        </ConfirmDialog>
      )}
      {target && dirty && (
        <TypedConfirmDialog
          title={`Roll back to ${target.short} and lose changes?`}
          device={DISCARD_WORD}
          accepts={confirmsDiscard}
          confirmLabel="Discard and roll back"
          onCancel={() => setTarget(undefined)}
          onConfirm={async (typed) => {
            const refused = await go(target.hash, typed);
            if (!refused) setTarget(undefined);
            return refused;
          }}
        >
          <p>
            {status.dirty.length} uncommitted file{status.dirty.length === 1 ? '' : 's'} may be lost:{' '}
            {status.dirty.map((f) => f.path).join(', ')}.
          </p>
        </TypedConfirmDialog>
      )}
    </section>
  );
}
