import { useId, useState } from 'react';
import type { RepoStatus } from '../../../shared/repo/model';
import { useStore } from '../../app/store';
import { api } from '../../shared/api';
import { ErrorBox } from '../../shared/components/error-box';
import type { UiError } from '../../shared/errors';
import { useMeteredAsk } from '../../shared/use-metered-ask';
import { ActionJob } from './action-job';
import { useRepoBusy, useRepoJob } from './use-repo-job';

/** Pin the clone to a release tag (it stops following the remote), or unpin: back to the branch, then a pull. */
export function PinSection({ status }: { status: RepoStatus }) {
  const start = useStore((s) => s.startRepoJob);
  const pinJob = useRepoJob('pin');
  const unpinJob = useRepoJob('unpin');
  const busy = useRepoBusy();
  const metered = useMeteredAsk();
  const [tag, setTag] = useState(status.tag ?? '');
  const [refused, setRefused] = useState<UiError>();
  const id = useId();
  const pin = () => void start('pin', () => api().repo.pin({ tag: tag.trim() })).then(setRefused);
  const unpin = () =>
    metered.ask(
      'Unpinning (it pulls the branch)',
      (allowMetered) => void start('unpin', () => api().repo.unpin({ allowMetered })).then(setRefused),
    );
  return (
    <section className="card" aria-labelledby="repo-pin">
      <h2 id="repo-pin">Pin to a release</h2>
      {status.branch === null ? (
        <>
          <p>
            Pinned to <strong>{status.tag ?? status.head?.short}</strong>
            {status.pinnedFrom ? `; unpin goes back to ${status.pinnedFrom} and pulls` : ''}.
          </p>
          <button type="button" className="secondary" disabled={busy} onClick={unpin}>
            Unpin
          </button>
        </>
      ) : (
        <form
          className="inline-field"
          onSubmit={(e) => {
            e.preventDefault();
            if (tag.trim() && !busy) pin();
          }}
        >
          <label htmlFor={id}>Release tag</label>
          <input
            id={id}
            type="text"
            value={tag}
            placeholder="v1.2"
            spellCheck={false}
            onChange={(e) => setTag(e.target.value)}
          />
          <button type="submit" className="secondary" disabled={busy || !tag.trim()}>
            Pin
          </button>
        </form>
      )}
      {refused && <ErrorBox error={refused} onDismiss={() => setRefused(undefined)} />}
      <ActionJob job={pinJob} title="Pin" onRetry={pin} />
      <ActionJob job={unpinJob} title="Unpin" onRetry={unpin} />
      {metered.dialog}
      {metered.error && <ErrorBox error={metered.error} />}
    </section>
  );
}
