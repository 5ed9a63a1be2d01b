import type { ModelRow, ModelsList, ModelsStorageSummary } from '../../../shared/models/contract';
import { formatBytes } from '../../shared/format';

// Pure readings of the models list and the storage summary: what a pull would bring the filesystem to, what the
// page does before a pull (start, ask, refuse), and the home card's sentence.

/** Bytes a pull still has to write: the whole file, less what a partial already holds. Undefined: size unknown. */
export function remainingBytes(row: ModelRow): number | undefined {
  if (row.expectedSize === undefined) return undefined;
  const have = row.status === 'partial' ? (row.sizeOnDisk ?? 0) : 0;
  return Math.max(0, row.expectedSize - have);
}

/** The filesystem's usage once the pull has written its remaining bytes, in percent. */
export function projectedPercent(storage: ModelsStorageSummary, row: ModelRow): number | undefined {
  const rest = remainingBytes(row);
  if (rest === undefined || storage.totalBytes <= 0) return undefined;
  return ((storage.usedBytes + rest) / storage.totalBytes) * 100;
}

export type PullGate =
  | { kind: 'go'; projected?: number }
  | { kind: 'ask'; projected: number }
  | { kind: 'refuse'; projected: number };

/** The same rule as main's storage guard (which checks again in the job): ask from the warn mark, refuse at the
 * refuse mark. A size the manifest does not give cannot be projected: the job's guard checks on the response. */
export function pullGate(storage: ModelsStorageSummary | undefined, row: ModelRow): PullGate {
  const projected = storage ? projectedPercent(storage, row) : undefined;
  if (projected === undefined || !storage) return { kind: 'go' };
  if (projected >= storage.refusePercent) return { kind: 'refuse', projected };
  if (projected >= storage.warnPercent) return { kind: 'ask', projected };
  return { kind: 'go', projected };
}

export interface ModelsGlance {
  text: string;
  note?: string;
  tone: 'muted' | 'ok' | 'warn';
  action: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The home card: recommended models missing, space left, partial downloads. */
export function modelsGlance(
  list: ModelsList | undefined,
  storage: ModelsStorageSummary | undefined,
): ModelsGlance {
  if (!list || !storage) return { text: 'Reading the models…', tone: 'muted', action: 'Open models' };
  const missing = list.models.filter(
    (m) => m.tier === 'recommended' && m.from !== 'unlisted' && m.status === 'missing',
  ).length;
  const partial = list.models.filter((m) => m.status === 'partial').length;
  const unknown = list.models.filter((m) => m.tier === 'recommended' && m.status === 'unknown').length;
  const free = Math.max(0, storage.totalBytes - storage.usedBytes);
  const space = `${formatBytes(free)} left on ${storage.mountPoint} (${Math.round(storage.usedPercent)}% used).`;
  const parts = [
    missing ? `${plural(missing, 'recommended model')} missing.` : '',
    unknown ? `Ollama not reachable: ${unknown} recommended unknown.` : '',
    partial ? `${plural(partial, 'partial download')} to resume.` : '',
  ].filter(Boolean);
  if (!parts.length) parts.push('No recommended model missing.');
  const full = storage.usedPercent >= storage.warnPercent;
  return {
    text: parts.join(' '),
    note: space,
    tone: missing || partial || unknown || full ? 'warn' : 'ok',
    action: missing || partial ? 'Pull models…' : 'Open models',
  };
}
