import { useEffect, useRef, useState } from 'react';
import type { CatalogEntry } from '../../../shared/frameworks/contract';
import { useStore } from '../../app/store';
import { ConfirmDialog } from '../../shared/components/confirm-dialog';
import { ErrorBox } from '../../shared/components/error-box';
import { ManifestProblems } from '../../shared/components/manifest-problems';
import type { UiError } from '../../shared/errors';
import { useMeteredAsk } from '../../shared/use-metered-ask';
import { useFocusHeading, usePrimaryEnter } from '../../shared/use-page';
import { FrameworkCard } from './framework-card';

/**
 * Frameworks: the catalog (recommended + your own), each with whether it is installed; install and uninstall run
 * as jobs (the recipe's output is in the job's log on the Jobs page). An evaluating entry or one of your own
 * installs only after a yes in a dialog; main checks that yes again. Enter on the heading reads the catalog again.
 */
export function FrameworksPage() {
  const catalog = useStore((s) => s.catalog);
  const error = useStore((s) => s.catalogError);
  const busyNames = useStore((s) =>
    Object.entries(s.frameworkJobs)
      .filter(([, j]) => s.jobs[j.jobId]?.state === 'running')
      .map(([name]) => name)
      .join(' '),
  );
  const pageRef = useRef<HTMLDivElement>(null);
  const [consent, setConsent] = useState<CatalogEntry>();
  const [refused, setRefused] = useState<UiError>();
  const [reading, setReading] = useState(false);
  const metered = useMeteredAsk();
  usePrimaryEnter(pageRef);
  useFocusHeading(pageRef, 'frameworks');
  const reload = () => {
    setReading(true);
    void useStore
      .getState()
      .loadCatalog()
      .finally(() => setReading(false));
  };
  useEffect(reload, []);

  const start = (item: CatalogEntry, kind: 'install' | 'uninstall', yes = false, allowMetered = false) =>
    void useStore.getState().startFrameworkJob(item.entry.name, kind, yes, allowMetered).then(setRefused);
  // Installs download; an uninstall does not. The person's yes to a metered download goes to main, whose job
  // checks the network again where the download happens.
  const install = (item: CatalogEntry, yes: boolean) =>
    metered.ask(`Installing ${item.entry.name}`, (allowMetered) => start(item, 'install', yes, allowMetered));

  return (
    <div ref={pageRef} className="page frameworks">
      <h1 tabIndex={-1}>Frameworks</h1>
      <div className="section-actions">
        <p className="lead grow">
          Agentic coding tools the toolkit recommends, and your own from{' '}
          <code>{catalog?.userFile ?? 'frameworks.yaml'}</code>.
        </p>
        <button type="button" data-primary className="secondary" disabled={reading} onClick={reload}>
          {reading ? 'Reading…' : 'Read again'}
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {refused && <ErrorBox error={refused} onDismiss={() => setRefused(undefined)} />}
      {metered.error && <ErrorBox error={metered.error} />}
      {catalog && (
        <>
          <p className="muted">
            Catalog: <code>{catalog.recommendedFile.path}</code> (
            {catalog.recommendedFile.from === 'clone' ? 'from the toolkit clone' : 'shipped with the app'}).
          </p>
          <ManifestProblems problems={catalog.problems} />
          <ul className="domains dashboard" aria-label="Frameworks">
            {catalog.entries.map((item) => (
              <FrameworkCard
                key={item.entry.name}
                item={item}
                busy={busyNames.split(' ').includes(item.entry.name)}
                onInstall={() => (item.needsYes ? setConsent(item) : install(item, false))}
                onUninstall={() => start(item, 'uninstall')}
              />
            ))}
          </ul>
        </>
      )}
      {consent && (
        <ConfirmDialog
          title={`Install ${consent.entry.name}?`}
          confirmLabel={`Yes, install ${consent.entry.name}`}
          onCancel={() => setConsent(undefined)}
          onConfirm={() => {
            const item = consent;
            setConsent(undefined);
            install(item, true);
          }}
        >
          <p>
            {consent.source === 'user'
              ? 'This entry comes from your own manifest: nobody reviewed it for you.'
              : 'This framework is still being evaluated for Kintsugi.'}{' '}
            It installs only with your explicit yes.
          </p>
        </ConfirmDialog>
      )}
      {metered.dialog}
    </div>
  );
}
