import { useState } from 'react';
import { DEFAULT_TOOLKIT_REMOTE } from '../../../shared/repo/remote';
import { useStore } from '../../app/store';
import { api } from '../../shared/api';
import { ErrorBox } from '../../shared/components/error-box';
import type { UiError } from '../../shared/errors';
import { useMeteredAsk } from '../../shared/use-metered-ask';
import { ActionJob } from './action-job';
import { useRepoBusy, useRepoJob } from './use-repo-job';

/** No clone yet: where it goes, where it comes from (the Toolkit remote setting), and Clone. */
export function CloneSection({ cloneDir }: { cloneDir: string }) {
  const remote = useStore((s) => s.settings.repoRemote);
  const start = useStore((s) => s.startRepoJob);
  const job = useRepoJob('clone');
  const busy = useRepoBusy();
  const metered = useMeteredAsk();
  const [refused, setRefused] = useState<UiError>();
  const clone = () =>
    metered.ask(
      'Cloning the toolkit',
      (allowMetered) => void start('clone', () => api().repo.clone({ allowMetered })).then(setRefused),
    );
  return (
    <section className="card" aria-labelledby="repo-clone">
      <h2 id="repo-clone">Not cloned yet</h2>
      <p>
        The docs and scripts are cloned into <code>{cloneDir}</code> from{' '}
        <code>{remote ?? DEFAULT_TOOLKIT_REMOTE}</code>
        {remote ? '' : " (the toolkit guide's own; another can be set in Settings)"}.
      </p>
      <div className="section-actions">
        <button type="button" data-primary disabled={busy} onClick={clone}>
          Clone
        </button>
      </div>
      {metered.error && <ErrorBox error={metered.error} />}
      {refused && <ErrorBox error={refused} onDismiss={() => setRefused(undefined)} />}
      <ActionJob job={job} title="Clone" onRetry={clone} />
      {metered.dialog}
    </section>
  );
}
