import {
  frameworksAttention,
  kernelAttention,
  modelsAttention,
  reflashAttention,
  repoAttention,
  type LayerAttention,
} from '../shared/layer-attention';
import type { DomainWithJobs, KintsugiApi } from '../shared/registry';

// The layers' counts for the tray, read through the same handler calls the home cards make (models.missing,
// frameworks.catalog, repo.status, reflash.getState, kernel.overdue), each on its own: one that fails (Ollama down, no clone)
// counts nothing rather than hiding the others. No electron here: tray.ts draws, tray-state.ts decides.

export type Layer = LayerAttention['layer'];

const READS: { [L in Layer]: (api: KintsugiApi) => Promise<LayerAttention | undefined> } = {
  models: async (api) => modelsAttention(await api.models.missing()),
  frameworks: async (api) => frameworksAttention(await api.frameworks.catalog()),
  repo: async (api) => repoAttention(await api.repo.status()),
  reflash: async (api) => reflashAttention(await api.reflash.getState()),
  kernel: async (api) => kernelAttention(await api.kernel.overdue()),
};

export const ALL_LAYERS = Object.keys(READS) as Layer[];

/** Reads the given layers (all by default); undefined for a layer that needs nothing or could not be read. */
export async function gatherLayerAttention(
  api: KintsugiApi,
  layers: readonly Layer[] = ALL_LAYERS,
): Promise<Map<Layer, LayerAttention | undefined>> {
  const read = await Promise.all(layers.map((l) => READS[l](api).catch(() => undefined)));
  return new Map(layers.map((l, i) => [l, read[i]]));
}

// Which layers a finished job of each domain may have changed: a job's end re-reads those only (the frameworks
// catalog runs every framework's `--version`: not something to repeat after a model pull). Every domain with jobs
// is named here, so a new one must say what it touches.
const TOUCHES: Record<DomainWithJobs, readonly Layer[]> = {
  image: ['reflash'],
  flash: ['reflash'],
  backup: ['reflash'],
  frameworks: ['frameworks'],
  repo: ['repo'],
  schedule: ['repo'],
  models: ['models'],
  // The OS record is re-read on every refresh: no layer of its own.
  os: [],
  kernel: ['kernel'],
};

export const layersTouchedBy = (domain: DomainWithJobs): readonly Layer[] => TOUCHES[domain];
