import { useEffect, useRef, useState } from 'react';
import { osGlance } from '../../../shared/os/glance';
import type { LastWrittenImage } from '../../../shared/reflash/last-written';
import { useStore } from '../../app/store';
import { api } from '../../shared/api';
import { timeAgo } from '../../shared/time-ago';
import { useNow } from '../../shared/use-now';
import { useFocusHeading, usePrimaryEnter } from '../../shared/use-page';
import { frameworksGlance } from '../frameworks/summary';
import { jobsSummary } from '../jobs/summary';
import { modelsGlance } from '../models/summary';
import { reflashSummary } from '../reflash/summary';
import { repoGlance } from '../repo/summary';
import { DomainCard } from './domain-card';

/**
 * Home: one card per layer the app updates (docs & scripts, models, frameworks, base image) and the
 * system's updates, each with its state at a glance and its one next action, which opens the layer's page. Enter
 * on the heading continues the reflash (the page's primary action, as before the dashboard).
 */
export function HomePage() {
  const reflash = useStore((s) => s.reflash);
  const jobs = useStore((s) => s.jobs);
  const repo = useStore((s) => s.repo);
  const repoError = useStore((s) => s.repoError);
  const catalog = useStore((s) => s.catalog);
  const catalogError = useStore((s) => s.catalogError);
  const models = useStore((s) => s.models);
  const modelsStorage = useStore((s) => s.modelsStorage);
  const modelsError = useStore((s) => s.modelsError);
  const osOverview = useStore((s) => s.osOverview);
  const osError = useStore((s) => s.osError);
  const navigate = useStore((s) => s.navigate);
  const kernelOverdue = useStore((s) => s.kernelOverdue);
  const pageRef = useRef<HTMLDivElement>(null);
  usePrimaryEnter(pageRef);
  useFocusHeading(pageRef, 'home');
  const now = useNow();
  const flow = reflashSummary(reflash, jobs);
  const onDrive = useLastWritten(reflash?.step);
  const canRestoreExisting = reflash?.step === 'image' && !reflash.activeJob;
  const docs = repoError
    ? { text: `Could not read the clone: ${repoError.message}`, tone: 'warn' as const, action: 'Open' }
    : repoGlance(repo?.status, now);
  const mod = modelsError
    ? {
        text: `Could not read the models: ${modelsError.message}`,
        tone: 'warn' as const,
        action: 'Open',
        note: undefined,
      }
    : modelsGlance(models, modelsStorage);
  const os = osError
    ? {
        text: `Could not read the system's update state: ${osError.message}`,
        tone: 'warn' as const,
        action: 'Open system updates',
        checkedAt: undefined,
      }
    : osGlance(osOverview);
  const fw = catalogError
    ? { text: `Could not read the catalog: ${catalogError.message}`, tone: 'warn' as const, action: 'Open' }
    : frameworksGlance(catalog);

  return (
    <div ref={pageRef} className="page">
      <h1 tabIndex={-1}>What to update</h1>
      <p className="lead">
        Kintsugi Updater keeps the drive and its system current without losing your work.
      </p>
      <ul className="domains dashboard">
        <DomainCard id="home-repo" title="Docs & scripts" state={docs.text} tone={docs.tone}>
          <button type="button" className="secondary" onClick={() => navigate('repo')}>
            {docs.action}
          </button>
        </DomainCard>
        <DomainCard id="home-models" title="Models" state={mod.text} tone={mod.tone} note={mod.note}>
          <button type="button" className="secondary" onClick={() => navigate('models')}>
            {mod.action}
          </button>
        </DomainCard>
        <DomainCard id="home-frameworks" title="Frameworks" state={fw.text} tone={fw.tone}>
          <button type="button" className="secondary" onClick={() => navigate('frameworks')}>
            {fw.action}
          </button>
        </DomainCard>
        <DomainCard
          id="home-reflash"
          title="Base image (reflash)"
          state={flow.text}
          tone={flow.tone}
          note={[
            reflash?.image?.version ? `New image: ${reflash.image.version}.` : '',
            onDrive ? lastWrittenText(onDrive) : 'No drive flashed by this app yet.',
          ]
            .filter(Boolean)
            .join(' ')}
        >
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
        </DomainCard>
        {/* The kernel has a card only when it needs the person: a heartbeat past its deadline. */}
        {kernelOverdue.length > 0 && (
          <DomainCard
            id="home-kernel"
            title="Kernel"
            state={`Heartbeat overdue on ${kernelOverdue.join(', ')}: the new kernel may not have booted.`}
            tone="warn"
          >
            <button type="button" className="secondary" onClick={() => navigate('kernel')}>
              Open
            </button>
          </DomainCard>
        )}
        <DomainCard
          id="home-os"
          title="System updates"
          state={os.text}
          tone={os.tone}
          note={
            osOverview?.backend
              ? `Last check: ${timeAgo(os.checkedAt ? Date.parse(os.checkedAt) : null, now)}.`
              : undefined
          }
        >
          <button type="button" className="secondary" onClick={() => navigate('os')}>
            {os.action}
          </button>
        </DomainCard>
        <DomainCard id="home-jobs" title="Jobs" state={jobsSummary(jobs)} tone="muted">
          <button type="button" className="secondary" onClick={() => navigate('jobs')}>
            Open jobs
          </button>
        </DomainCard>
      </ul>
    </div>
  );
}

/** What the app last wrote to a drive (its ledger), read again whenever the reflash moves to another step. */
function useLastWritten(step: string | undefined): LastWrittenImage | null {
  const [last, setLast] = useState<LastWrittenImage | null>(null);
  useEffect(() => {
    let live = true;
    api()
      .reflash.lastWritten()
      .then((l) => live && setLast(l))
      .catch(() => undefined); // the card then says nothing about the drive: not worth an error box
    return () => {
      live = false;
    };
  }, [step]);
  return last;
}

function lastWrittenText(l: LastWrittenImage): string {
  const what = l.version ? `version ${l.version}` : l.imageName;
  const when = new Date(l.writtenAt).toLocaleDateString();
  return l.complete
    ? `On ${l.device}: ${what}, written by this app on ${when}.`
    : `On ${l.device}: ${what} was being written on ${when}; that reflash has not finished.`;
}
