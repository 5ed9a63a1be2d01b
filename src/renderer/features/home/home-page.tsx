import { useRef } from 'react';
import { useStore } from '../../app/store';
import { useFocusHeading, usePrimaryEnter } from '../../shared/use-page';
import { jobsSummary } from '../jobs/summary';
import { reflashSummary } from '../reflash/summary';

/**
 * Home: the domains the app updates, each with its state at a glance and its next action. A plain list for now;
 * the dashboard fills it in later. Enter on the heading opens the reflash (the page's primary action).
 */
export function HomePage() {
  const reflash = useStore((s) => s.reflash);
  const jobs = useStore((s) => s.jobs);
  const navigate = useStore((s) => s.navigate);
  const pageRef = useRef<HTMLDivElement>(null);
  usePrimaryEnter(pageRef);
  useFocusHeading(pageRef, 'home');
  const flow = reflashSummary(reflash, jobs);
  const canRestoreExisting = reflash?.step === 'image' && !reflash.activeJob;

  return (
    <div ref={pageRef} className="page">
      <h1 tabIndex={-1}>What to update</h1>
      <p className="lead">
        Kintsugi Updater keeps the drive and its system current without losing your work.
      </p>
      <ul className="domains">
        <li className="card domain" aria-labelledby="home-reflash">
          <h2 id="home-reflash">Base image (reflash)</h2>
          <p className={`domain-state ${flow.tone}`}>{flow.text}</p>
          <div className="actions">
            {canRestoreExisting && (
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  useStore.getState().setExistingBackupOpen(true);
                  navigate('reflash');
                }}
              >
                Restore an existing backup
              </button>
            )}
            <button type="button" data-primary onClick={() => navigate('reflash')}>
              {flow.action}
            </button>
          </div>
        </li>
        <li className="card domain" aria-labelledby="home-jobs">
          <h2 id="home-jobs">Jobs</h2>
          <p className="domain-state muted">{jobsSummary(jobs)}</p>
          <div className="actions">
            <button type="button" className="secondary" onClick={() => navigate('jobs')}>
              Open jobs
            </button>
          </div>
        </li>
      </ul>
    </div>
  );
}
