import type { RepoStatus } from '../../../shared/repo/model';
import { timeAgo } from '../../shared/time-ago';

/** The clone as it stands, read offline: where, which branch or pin, HEAD, and the counts as of the last fetch. */
export function StatusFacts({ status, now }: { status: RepoStatus; now: number }) {
  return (
    <dl className="facts">
      <Fact label="Clone">
        <code>{status.cloneDir}</code>
      </Fact>
      {status.remoteUrl && (
        <Fact label="Remote">
          <code>{status.remoteUrl}</code>
        </Fact>
      )}
      <Fact label="Branch">
        {status.branch ?? (
          <>
            none: pinned to {status.tag ?? 'a commit'}
            {status.pinnedFrom ? ` (from ${status.pinnedFrom})` : ''}
          </>
        )}
      </Fact>
      <Fact label="HEAD">
        {status.head ? (
          <>
            <span className="hash">{status.head.short}</span> {status.head.subject}
            {status.tag && <span className="badge">{status.tag}</span>}
          </>
        ) : (
          'no commit'
        )}
      </Fact>
      <Fact label="Remote state">
        {status.upstream ? (
          <>
            {status.behind} behind, {status.ahead} ahead of <code>{status.upstream}</code> as of the last
            check ({timeAgo(status.lastFetchAt, now)})
          </>
        ) : (
          'follows no remote branch'
        )}
      </Fact>
      <Fact label="Uncommitted">
        {status.dirty.length === 0 ? (
          'nothing'
        ) : (
          <ul className="plain">
            {status.dirty.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code> <span className="muted">({f.state === '??' ? 'new' : 'changed'})</span>
              </li>
            ))}
          </ul>
        )}
      </Fact>
      {status.localCommits.length > 0 && (
        <Fact label="Local commits">
          <CommitList commits={status.localCommits} />
        </Fact>
      )}
    </dl>
  );
}

function Fact(props: { label: string; children: React.ReactNode }) {
  return (
    <div className="fact-row">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

export function CommitList({ commits }: { commits: { hash: string; short: string; subject: string }[] }) {
  return (
    <ul className="plain commits">
      {commits.map((c) => (
        <li key={c.hash}>
          <span className="hash">{c.short}</span> {c.subject}
        </li>
      ))}
    </ul>
  );
}
