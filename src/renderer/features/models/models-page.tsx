import { useEffect, useRef, useState } from 'react';
import type { ModelRow as Row } from '../../../shared/models/contract';
import { useStore } from '../../app/store';
import { ConfirmDialog } from '../../shared/components/confirm-dialog';
import { ErrorBox } from '../../shared/components/error-box';
import { ManifestProblems } from '../../shared/components/manifest-problems';
import type { UiError } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import { useMeteredAsk } from '../../shared/use-metered-ask';
import { useFocusHeading, usePrimaryEnter } from '../../shared/use-page';
import { ModelRow } from './model-row';
import { StorageGauge } from './storage-gauge';
import { pullGate, projectedPercent, remainingBytes } from './summary';

// Metered networks: a pull asks first (use-metered-ask), and the person's yes goes to main with it; the job checks
// the network again where the download happens.

/**
 * Models: the recommended and your own manifests joined with the disk and the Ollama server; per row pull (with
 * its progress, speed and ETA, and Cancel), verify and remove. The storage gauge shows the used space, what the
 * pull being considered would bring it to and the warn / refuse lines: a pull past the warn line asks first, one
 * past the refuse line is refused here (main's job checks again). Enter on the heading reads the list again.
 */
export function ModelsPage() {
  const models = useStore((s) => s.models);
  const storage = useStore((s) => s.modelsStorage);
  const error = useStore((s) => s.modelsError);
  // A string, so the selection is equal from one render to the next unless a job starts or ends.
  const runningKey = useStore((s) =>
    Object.entries(s.modelJobs)
      .filter(([, j]) => s.jobs[j.jobId]?.state === 'running')
      .map(([slug, j]) => `${j.kind}=${slug}`)
      .join(' '),
  );
  const running = runningKey
    ? runningKey
        .split(' ')
        .map((r) => ({ slug: r.slice(r.indexOf('=') + 1), kind: r.slice(0, r.indexOf('=')) }))
    : [];
  const pageRef = useRef<HTMLDivElement>(null);
  const [refused, setRefused] = useState<UiError>();
  const [ask, setAsk] = useState<{ row: Row; projected: number }>();
  const [removing, setRemoving] = useState<Row>();
  const [considering, setConsidering] = useState<string>();
  const metered = useMeteredAsk();
  const [reading, setReading] = useState(false);
  usePrimaryEnter(pageRef);
  useFocusHeading(pageRef, 'models');
  const reload = () => {
    setReading(true);
    void useStore
      .getState()
      .loadModels()
      .finally(() => setReading(false));
  };
  useEffect(reload, []);

  const start = (
    row: Row,
    kind: 'pull' | 'verify' | 'remove',
    opts?: { deleteWeights?: boolean; typed?: string; allowMetered?: boolean },
  ) => {
    setRefused(undefined);
    void useStore.getState().startModelJob(row.slug, kind, opts).then(setRefused);
  };
  const pull = (row: Row) => {
    const gate = pullGate(storage, row);
    if (gate.kind === 'refuse' && storage) {
      setRefused({
        code: 'MODEL_STORAGE_REFUSED',
        message: `Storage at ${Math.floor(gate.projected)}% of ${storage.mountPoint} after ${row.slug} — refusing pull`,
        hint: `Pulling ${row.slug} needs ${formatBytes(remainingBytes(row))} more and would pass the ${storage.refusePercent}% limit. Remove a model you no longer need (Remove…, with its weights) to free space, then pull again.`,
      });
    } else if (gate.kind === 'ask') setAsk({ row, projected: gate.projected });
    else startPull(row);
  };
  // A pull downloads: on a metered network the person is asked, and their yes goes to main with the pull.
  const startPull = (row: Row) =>
    metered.ask(`Pulling ${row.slug}`, (allowMetered) => start(row, 'pull', { allowMetered }));

  const busy = new Set(running.map((r) => r.slug));
  const runningPull = running.find((r) => r.kind === 'pull');
  const projectionSlug = ask?.row.slug ?? considering ?? runningPull?.slug;
  const projectionRow = models?.models.find((m) => m.slug === projectionSlug);
  const projection =
    storage && projectionRow && projectedPercent(storage, projectionRow) !== undefined
      ? { slug: projectionRow.slug, percent: projectedPercent(storage, projectionRow)! }
      : undefined;

  return (
    <div ref={pageRef} className="page models">
      <h1 tabIndex={-1}>Models</h1>
      <div className="section-actions">
        <p className="lead grow">
          Model weights the toolkit recommends, and your own from{' '}
          <code>{models?.userFile ?? 'models.yaml'}</code>.
        </p>
        <button type="button" data-primary className="secondary" disabled={reading} onClick={reload}>
          {reading ? 'Reading…' : 'Read again'}
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {refused && <ErrorBox error={refused} onDismiss={() => setRefused(undefined)} />}
      {storage && <StorageGauge storage={storage} projection={projection} />}
      {models && (
        <>
          {!models.ollama.reachable && (
            <p className="warn">
              Ollama at {models.ollama.host} is not reachable ({models.ollama.reason}): its models show as
              unknown. Start Ollama (or set OLLAMA_HOST), then Read again.
            </p>
          )}
          <ManifestProblems problems={models.problems} />
          {models.models.length === 0 ? (
            <p className="muted">No models listed: the manifests name none and none are on disk.</p>
          ) : (
            <div className="table-wrap">
              <table className="models">
                <caption className="sr-only">Models</caption>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">From</th>
                    <th scope="col">Status</th>
                    <th scope="col">Size</th>
                    <th scope="col">Quantization</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {models.models.map((row) => (
                    <ModelRow
                      key={row.slug}
                      row={row}
                      busy={busy.has(row.slug)}
                      onPull={() => pull(row)}
                      onVerify={() => start(row, 'verify')}
                      onRemove={() => setRemoving(row)}
                      onConsider={(on) => setConsidering(on ? row.slug : undefined)}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p className="muted">
            Recommended list: <code>{models.recommendedFile.path}</code> (
            {models.recommendedFile.from === 'clone' ? 'from the toolkit clone' : 'shipped with the app'});
            files in <code>{models.modelsDir}</code>.
          </p>
        </>
      )}
      {metered.error && <ErrorBox error={metered.error} />}
      {metered.dialog}
      {ask && storage && (
        <ConfirmDialog
          title={`Pull ${ask.row.slug}?`}
          confirmLabel={`Yes, pull ${ask.row.slug}`}
          onCancel={() => setAsk(undefined)}
          onConfirm={() => {
            const row = ask.row;
            setAsk(undefined);
            startPull(row);
          }}
        >
          <p>
            This pull writes {formatBytes(remainingBytes(ask.row))} and brings{' '}
            <code>{storage.mountPoint}</code> to {Math.floor(ask.projected)}% used, past the{' '}
            {storage.warnPercent}% warning line (pulls are refused at {storage.refusePercent}%).
          </p>
        </ConfirmDialog>
      )}
      {removing && (
        <RemoveDialog
          row={removing}
          onCancel={() => setRemoving(undefined)}
          onConfirm={(opts) => {
            const row = removing;
            setRemoving(undefined);
            start(row, 'remove', opts);
          }}
        />
      )}
    </div>
  );
}

/** What a remove does depends on where the model comes from: your entry goes from your manifest (its weights only
 * if ticked); a recommended model only loses its weights; a file no manifest names is deleted after its name is
 * typed back. */
function RemoveDialog(props: {
  row: Row;
  onCancel(): void;
  onConfirm(opts: { deleteWeights: boolean; typed?: string }): void;
}) {
  const { row } = props;
  const yours = row.from === 'user-only' || row.from === 'shadowed';
  const [weights, setWeights] = useState(!yours);
  const [typed, setTyped] = useState('');
  const unlisted = row.from === 'unlisted';
  const ready = !unlisted || typed === row.slug;
  return (
    <ConfirmDialog
      title={`Remove ${row.slug}?`}
      confirmLabel={yours && !weights ? 'Remove from my list' : 'Delete the weights'}
      busy={!ready}
      onCancel={props.onCancel}
      onConfirm={() => ready && props.onConfirm({ deleteWeights: weights, ...(unlisted ? { typed } : {}) })}
    >
      {yours ? (
        <>
          <p>The entry goes from your manifest; its comments and the other entries stay.</p>
          <label className="check">
            <input type="checkbox" checked={weights} onChange={(e) => setWeights(e.target.checked)} /> Also
            delete its weights ({formatBytes(row.sizeOnDisk)})
          </label>
        </>
      ) : unlisted ? (
        <label>
          No manifest names this file: type its name ({row.slug}) to delete it.
          <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        </label>
      ) : (
        <p>
          This is a recommended model: it stays in the list, and its weights ({formatBytes(row.sizeOnDisk)})
          are deleted. Pull it again any time.
        </p>
      )}
    </ConfirmDialog>
  );
}
