import { useId, useState } from 'react';
import type { PullPreview, RepoStatus } from '../../../shared/repo/model';
import { useStore } from '../../app/store';
import { api } from '../../shared/api';
import { ErrorBox } from '../../shared/components/error-box';
import type { UiError } from '../../shared/errors';
import { useMeteredAsk } from '../../shared/use-metered-ask';
import { ActionJob } from './action-job';
import { CommitList } from './status-facts';
import { pullReadiness } from './summary';
import { useRepoBusy, useRepoJob } from './use-repo-job';

/**
 * Check (fetch, then what a pull would bring) and Pull (fast-forward only). When a pull cannot fast-forward the
 * section says why and offers the ways out main has: keep the local commits and stay, or move them onto a new
 * branch and follow the remote; uncommitted files in the way: stash them and pull.
 */
export function UpdateSection({ status, preview }: { status: RepoStatus; preview?: PullPreview }) {
  const start = useStore((s) => s.startRepoJob);
  const checkJob = useRepoJob('check');
  const pullJob = useRepoJob('pull');
  const busy = useRepoBusy();
  const metered = useMeteredAsk();
  const [refused, setRefused] = useState<UiError>();
  const readiness = pullReadiness(preview);
  const pinned = status.branch === null;

  const run = (
    action: 'check' | 'pull',
    what: string,
    call: (allow: boolean) => Promise<{ jobId: string }>,
  ) => metered.ask(what, (allow) => void start(action, () => call(allow)).then(setRefused));
  const check = () =>
    run('check', 'Checking for updates', (allowMetered) => api().repo.check({ allowMetered }));
  const pull = (extra: { stash?: boolean; moveLocalTo?: string } = {}) =>
    run('pull', 'Pulling', (allowMetered) => api().repo.pull({ allowMetered, ...extra }));

  return (
    <section className="card" aria-labelledby="repo-update">
      <h2 id="repo-update">Updates</h2>
      {pinned ? (
        <p>Pinned to a release: unpin (below) to follow the remote again.</p>
      ) : (
        <PreviewText preview={preview} />
      )}
      <div className="section-actions">
        <button
          type="button"
          className={readiness === 'ready' ? 'secondary' : undefined}
          data-primary={readiness === 'ready' ? undefined : true}
          disabled={busy}
          onClick={check}
        >
          Check for updates
        </button>
        {!pinned && (
          <button
            type="button"
            data-primary={readiness === 'ready' ? true : undefined}
            className={readiness === 'ready' ? undefined : 'secondary'}
            disabled={busy || readiness !== 'ready'}
            onClick={() => pull()}
          >
            {preview && preview.behind > 0
              ? `Pull ${preview.behind} commit${preview.behind === 1 ? '' : 's'}`
              : 'Pull'}
          </button>
        )}
      </div>
      {metered.error && <ErrorBox error={metered.error} />}
      {refused && <ErrorBox error={refused} onDismiss={() => setRefused(undefined)} />}
      <ActionJob job={checkJob} title="Check" onRetry={check} />
      <ActionJob job={pullJob} title="Pull" onRetry={() => pull()} />
      {!pinned && preview && readiness === 'diverged' && (
        <Diverged preview={preview} busy={busy} onMove={(branch) => pull({ moveLocalTo: branch })} />
      )}
      {!pinned && preview && readiness === 'dirty-in-way' && (
        <DirtyInWay files={preview.dirtyInWay} busy={busy} onStash={() => pull({ stash: true })} />
      )}
      {metered.dialog}
    </section>
  );
}

function PreviewText({ preview }: { preview?: PullPreview }) {
  if (!preview)
    return <p className="muted">Not checked yet: Check fetches and shows what a pull would bring.</p>;
  if (preview.behind === 0)
    return <p className="ok">Up to date with {preview.upstream} as of the last check.</p>;
  return (
    <>
      <p>
        A pull would bring {preview.behind} commit{preview.behind === 1 ? '' : 's'} from{' '}
        <code>{preview.upstream}</code>:
      </p>
      <CommitList commits={preview.incoming} />
      {preview.files.length > 0 && (
        <details>
          <summary>
            {preview.files.length} file{preview.files.length === 1 ? '' : 's'} would change
          </summary>
          <ul className="plain">
            {preview.files.map((f) => (
              <li key={f.path}>
                <span className="hash">{f.status}</span> <code>{f.path}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

/** Local commits off the remote: nothing moves by itself; the two ways out, each explicit. */
function Diverged(props: { preview: PullPreview; busy: boolean; onMove(branch: string): void }) {
  const [branch, setBranch] = useState('my-changes');
  const id = useId();
  const valid = /^[A-Za-z0-9_][A-Za-z0-9._/+-]*$/.test(branch) && !branch.includes('..');
  return (
    <div className="card locked" role="group" aria-labelledby={`${id}-t`}>
      <h3 id={`${id}-t`}>A fast-forward pull is not possible</h3>
      <p>
        Your clone has {props.preview.localCommits.length} commit
        {props.preview.localCommits.length === 1 ? '' : 's'} the remote does not have:
      </p>
      <CommitList commits={props.preview.localCommits} />
      <p>Nothing was moved. Two ways out:</p>
      <ul>
        <li>Keep them and stay where you are: do nothing (the docs stay at this version).</li>
        <li>
          Keep them on a new branch and follow the remote:
          <form
            className="inline-field"
            onSubmit={(e) => {
              e.preventDefault();
              if (valid && !props.busy) props.onMove(branch.trim());
            }}
          >
            <label htmlFor={id}>New branch for your commits</label>
            <input id={id} type="text" value={branch} onChange={(e) => setBranch(e.target.value)} />
            <button type="submit" disabled={!valid || props.busy}>
              Move them and pull
            </button>
          </form>
        </li>
      </ul>
    </div>
  );
}

function DirtyInWay(props: { files: string[]; busy: boolean; onStash(): void }) {
  return (
    <div className="card locked" role="group" aria-label="Uncommitted changes in the way">
      <p>These uncommitted files would be overwritten by the pull, so it stops before them:</p>
      <ul className="plain">
        {props.files.map((f) => (
          <li key={f}>
            <code>{f}</code>
          </li>
        ))}
      </ul>
      <p>
        Stash them and pull (<code>git stash pop</code> in the clone brings them back), or commit them first.
      </p>
      <button type="button" disabled={props.busy} onClick={props.onStash}>
        Stash them and pull
      </button>
    </div>
  );
}
