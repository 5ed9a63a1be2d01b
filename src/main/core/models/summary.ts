import type { MissingPlan, ModelsList, ModelsStorageSummary } from '../../../shared/models/contract';
import { fsUsage } from './fs-usage';
import { guardLimits } from './storage-guard';

// What the page header and the home card show (the filesystem holding the models and the counts), and the plan
// `pull --missing` shows before asking: both derived from one list, so they cannot disagree with it.

export async function storageSummary(list: ModelsList, dataRoot: string): Promise<ModelsStorageSummary> {
  const fs = await fsUsage(list.modelsDir);
  const limits = guardLimits();
  const sum = (src: 'huggingface' | 'ollama') =>
    list.models.filter((m) => m.source === src).reduce((a, m) => a + (m.sizeOnDisk ?? 0), 0);
  const count = (s: string) => list.models.filter((m) => m.status === s).length;
  void dataRoot;
  return {
    mountPoint: fs.mountPoint,
    totalBytes: fs.totalBytes,
    usedBytes: fs.usedBytes,
    usedPercent: fs.totalBytes ? Math.round((fs.usedBytes / fs.totalBytes) * 1000) / 10 : 0,
    warnPercent: limits.warnPercent,
    refusePercent: limits.refusePercent,
    ggufBytes: sum('huggingface'),
    ...(list.ollama.reachable ? { ollamaBytes: sum('ollama') } : {}),
    installed: count('installed'),
    missing: count('missing'),
    partial: count('partial'),
    corrupt: count('corrupt'),
  };
}

/** Recommended entries not installed (a partial counts: the pull continues it). */
export function missingPlan(list: ModelsList): MissingPlan {
  const todo = list.models.filter(
    (m) =>
      m.tier === 'recommended' && m.from !== 'unlisted' && (m.status === 'missing' || m.status === 'partial'),
  );
  return {
    slugs: todo.map((m) => m.slug),
    totalBytes: todo.reduce(
      (a, m) => a + Math.max(0, (m.expectedSize ?? 0) - (m.status === 'partial' ? (m.sizeOnDisk ?? 0) : 0)),
      0,
    ),
    unknownSizes: todo.filter((m) => m.expectedSize === undefined).map((m) => m.slug),
  };
}
