import type { ModelRow as Row } from '../../../shared/models/contract';
import { useStore } from '../../app/store';
import { JobProgress } from '../../shared/components/job-progress';
import { formatBytes } from '../../shared/format';

const FROM = {
  recommended: 'recommended',
  shadowed: 'yours (replaces recommended)',
  'user-only': 'yours',
  unlisted: 'not in a manifest',
};

const STATUS = {
  installed: '✓ Installed',
  missing: 'Not downloaded',
  partial: 'Partial download',
  corrupt: 'Corrupt',
  unknown: 'Unknown',
};

const TITLES = { pull: 'Pulling', verify: 'Verifying', remove: 'Removing' };

/** One model: FROM, status, size, quantization and its actions; below it, the job this page started for it. */
export function ModelRow(props: {
  row: Row;
  busy: boolean;
  onPull(): void;
  onVerify(): void;
  onRemove(): void;
  onConsider(considering: boolean): void;
}) {
  const { row } = props;
  const started = useStore((s) => s.modelJobs[row.slug]);
  const job = useStore((s) => (started ? s.jobs[started.jobId] : undefined));
  const verify = started?.kind === 'verify' && job?.state === 'done' ? verifyText(job.result, row.slug) : '';
  const size =
    row.status === 'partial' && row.expectedSize !== undefined
      ? `${formatBytes(row.sizeOnDisk)} of ${formatBytes(row.expectedSize)}`
      : row.sizeOnDisk
        ? formatBytes(row.sizeOnDisk)
        : row.expectedSize !== undefined
          ? `${formatBytes(row.expectedSize)} to download`
          : '—';
  const canPull =
    row.from !== 'unlisted' &&
    (row.status === 'missing' || row.status === 'partial' || row.status === 'corrupt');
  const hasWeights = (row.sizeOnDisk ?? 0) > 0;
  const canRemove = row.from === 'user-only' || row.from === 'shadowed' || hasWeights;
  const id = `model-${row.slug.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  return (
    <>
      <tr>
        <th scope="row" id={id}>
          {row.slug}
          {row.tier === 'evaluating' && <span className="badge warn-badge">evaluating</span>}
          <span className="muted small"> ({row.source === 'ollama' ? 'Ollama' : 'Hugging Face'})</span>
        </th>
        <td>{FROM[row.from]}</td>
        <td className={row.status === 'installed' ? 'ok' : row.status === 'missing' ? 'muted' : 'warn'}>
          {STATUS[row.status]}
          {row.statusDetail ? `: ${row.statusDetail}` : ''}
          {verify && <div role="status">{verify}</div>}
        </td>
        <td>{size}</td>
        <td>{row.gguf?.quantization ?? '—'}</td>
        <td className="row-actions">
          {canPull && (
            <button
              type="button"
              disabled={props.busy}
              onClick={props.onPull}
              onFocus={() => props.onConsider(true)}
              onBlur={() => props.onConsider(false)}
              onMouseEnter={() => props.onConsider(true)}
              onMouseLeave={() => props.onConsider(false)}
              aria-label={`${row.status === 'partial' ? 'Resume' : 'Pull'} ${row.slug}`}
            >
              {row.status === 'partial' ? 'Resume' : 'Pull'}
            </button>
          )}
          {row.status === 'installed' && (
            <button
              type="button"
              className="secondary"
              disabled={props.busy}
              onClick={props.onVerify}
              aria-label={`Verify ${row.slug}`}
            >
              Verify
            </button>
          )}
          {canRemove && (
            <button
              type="button"
              className="secondary"
              disabled={props.busy}
              onClick={props.onRemove}
              aria-label={`Remove ${row.slug}`}
            >
              Remove…
            </button>
          )}
        </td>
      </tr>
      {job && started && job.state !== 'done' && (
        <tr className="row-job">
          <td colSpan={6}>
            <JobProgress
              job={job}
              title={`${TITLES[started.kind]} ${row.slug}`}
              onCancel={() => void useStore.getState().cancelJob(job.id)}
              onRetry={
                started.kind === 'pull'
                  ? props.onPull
                  : started.kind === 'verify'
                    ? props.onVerify
                    : props.onRemove
              }
              left={
                started.kind === 'pull'
                  ? 'What was downloaded is kept as a partial file; Retry (or Resume) continues from there.'
                  : undefined
              }
            />
          </td>
        </tr>
      )}
    </>
  );
}

function verifyText(result: unknown, slug: string): string {
  const rows = (result as { models?: { slug: string; outcome: string; detail?: string }[] } | undefined)
    ?.models;
  const r = rows?.find((m) => m.slug === slug);
  if (!r) return '';
  const words: Record<string, string> = {
    ok: 'Verified: the sha256 matches the manifest.',
    mismatch: 'Checksum mismatch: pull it again.',
    unverifiable: 'Not verifiable: the manifest gives no sha256.',
    missing: 'Missing on disk: pull it.',
    failed: 'Verify failed',
  };
  return `${words[r.outcome] ?? r.outcome}${r.detail && r.outcome !== 'ok' ? ` (${r.detail})` : ''}`;
}
