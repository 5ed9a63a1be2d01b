import { useEffect, useRef, useState } from 'react';
import { useStore } from '../../app/store';
import { ErrorBox } from '../../shared/components/error-box';
import { useFocusHeading, usePrimaryEnter } from '../../shared/use-page';
import { CloneSection } from './clone-section';
import { PinSection } from './pin-section';
import { RollbackSection } from './rollback-section';
import { ScriptsSection } from './scripts-section';
import { StatusFacts } from './status-facts';
import { UpdateSection } from './update-section';

/**
 * Docs & scripts: the toolkit clone, read offline when the page opens; Check / Pull first (Enter on the heading
 * presses the one that fits), then the clone's facts, pinning, rollback and the scripts. Every action is a job
 * main runs; when one ends the store reads the clone again.
 */
export function RepoPage() {
  const repo = useStore((s) => s.repo);
  const error = useStore((s) => s.repoError);
  const pageRef = useRef<HTMLDivElement>(null);
  const [now] = useState(() => Date.now());
  usePrimaryEnter(pageRef);
  useFocusHeading(pageRef, 'repo');
  // Read when the page opens, and again whenever main answers a settings change (the bin folder decides the
  // scripts' state; main's answer, not the optimistic copy, so the read sees the saved value).
  const settings = useStore((s) => s.settings);
  useEffect(() => {
    void useStore.getState().loadRepo();
  }, [settings]);
  const status = repo?.status;

  return (
    <div ref={pageRef} className="page repo">
      <h1 tabIndex={-1}>Docs & scripts</h1>
      {error && <ErrorBox error={error} />}
      {!status ? (
        !error && <p className="muted">Reading the clone…</p>
      ) : !status.cloned ? (
        <CloneSection cloneDir={status.cloneDir} />
      ) : (
        <>
          <UpdateSection status={status} preview={repo.preview} />
          {repo.previewError && <ErrorBox error={repo.previewError} />}
          <section className="card" aria-labelledby="repo-status">
            <h2 id="repo-status">The clone</h2>
            <StatusFacts status={status} now={now} />
          </section>
          <PinSection status={status} />
          <RollbackSection status={status} reflog={repo.reflog} />
          <ScriptsSection status={status} />
        </>
      )}
    </div>
  );
}
