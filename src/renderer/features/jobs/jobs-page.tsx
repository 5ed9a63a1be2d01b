import { useEffect, useRef } from 'react';
import { useStore } from '../../app/store';
import { useFocusHeading, usePrimaryEnter } from '../../shared/use-page';
import { JobItem } from './job-item';
import { sortJobs } from './store';

/**
 * Jobs: every job main keeps, newest first (running ones on top), with state, progress, error, Cancel for running
 * ones and the log tail. Jobs a crash interrupted are listed with where they stopped and what they left.
 */
export function JobsPage() {
  const jobs = useStore((s) => s.jobs);
  const listed = useStore((s) => s.jobsListed);
  const pageRef = useRef<HTMLDivElement>(null);
  usePrimaryEnter(pageRef);
  useFocusHeading(pageRef, 'jobs');
  useEffect(() => {
    // Events keep the list current; reading it again on open picks up what ran while no page listened.
    void useStore.getState().loadJobs();
  }, []);
  const list = sortJobs(jobs);

  return (
    <div ref={pageRef} className="page">
      <h1 tabIndex={-1}>Jobs</h1>
      <p className="lead">
        Everything long the app does runs as a job with a log. Jobs keep running when you leave this page.
      </p>
      {list.length === 0 && <p className="muted">{listed ? 'No jobs yet.' : 'Loading…'}</p>}
      <ol className="job-list" aria-label="Jobs, newest first">
        {list.map((job) => (
          <JobItem key={job.id} job={job} />
        ))}
      </ol>
    </div>
  );
}
