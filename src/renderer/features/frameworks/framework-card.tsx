import type { CatalogEntry } from '../../../shared/frameworks/contract';
import { recipeKind } from '../../../shared/frameworks/entry';
import { useStore } from '../../app/store';
import { JobProgress } from '../../shared/components/job-progress';
import { JobLog } from '../jobs/job-log';

const WHERE = { npm: 'npm', pipx: 'pipx', apt: 'apt (system)', deb: '.deb (system)', vscode: 'VS Code' };

/** One framework: what it is, where it comes from, whether it is installed, and its one action. After an install
 * this page started, its sign-in step in the manifest's own words (the app never asks for keys). */
export function FrameworkCard(props: {
  item: CatalogEntry;
  busy: boolean;
  onInstall(): void;
  onUninstall(): void;
}) {
  const { item } = props;
  const { entry, state } = item;
  const started = useStore((s) => s.frameworkJobs[entry.name]);
  const job = useStore((s) => (started ? s.jobs[started.jobId] : undefined));
  const justInstalled = started?.kind === 'install' && job?.state === 'done' && state.installed;
  const id = `fw-${entry.name}`;
  return (
    <li className="card framework" aria-labelledby={id}>
      <h2 id={id}>
        {entry.name}
        <span className={`badge ${entry.status === 'evaluating' ? 'warn-badge' : ''}`}>{entry.status}</span>
        {item.source === 'user' && <span className="badge">your own</span>}
      </h2>
      {entry.description && <p>{entry.description}</p>}
      <p className="muted">
        From {WHERE[recipeKind(entry.recipe)]}
        {item.needsRoot ? ' · asks for your password' : ''}
        {item.shadowsRecommended ? ' · replaces the recommended entry of this name' : ''}
      </p>
      <p className={state.installed ? 'ok' : 'muted'}>
        {state.installed
          ? `✓ Installed${state.version ? `: ${state.version}` : ''}${state.path ? ` (${state.path})` : ''}`
          : `Not installed${state.reason ? `: ${state.reason}` : ''}`}
      </p>
      {justInstalled && entry.sign_in && (
        <p className="sign-in" role="status">
          <strong>Next, sign in:</strong> {entry.sign_in}
        </p>
      )}
      {job && started && (
        <JobProgress
          job={job}
          title={started.kind === 'install' ? `Installing ${entry.name}` : `Uninstalling ${entry.name}`}
          onCancel={() => void useStore.getState().cancelJob(job.id)}
          onRetry={started.kind === 'install' ? props.onInstall : props.onUninstall}
        />
      )}
      {/* The recipe's own output (npm, pipx, apt...), as the job's log has it. */}
      {job && <JobLog job={job} />}
      <div className="actions">
        {state.installed ? (
          <button type="button" className="secondary" disabled={props.busy} onClick={props.onUninstall}>
            Uninstall {entry.name}
          </button>
        ) : (
          <button type="button" disabled={props.busy} onClick={props.onInstall}>
            Install {entry.name}
          </button>
        )}
      </div>
    </li>
  );
}
