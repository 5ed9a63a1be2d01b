import {
  frameworksAttention,
  kernelAttention,
  modelsAttention,
  reflashAttention,
  repoAttention,
  type LayerAttention,
} from '../shared/layer-attention';
import type { KintsugiApi } from '../shared/registry';

// The layers' counts for the tray, read through the same handler calls the home cards make (models.missing,
// frameworks.catalog, repo.status, reflash.getState, kernel.overdue), each on its own: one that fails (Ollama down, no clone)
// counts nothing rather than hiding the others. No electron here: tray.ts draws, tray-state.ts decides.

export async function gatherLayerAttention(api: KintsugiApi): Promise<LayerAttention[]> {
  const one = async <T>(read: () => Promise<T>, count: (v: T) => LayerAttention | undefined) => {
    try {
      return count(await read());
    } catch {
      return undefined;
    }
  };
  const all = await Promise.all([
    one(() => api.models.missing(), modelsAttention),
    one(() => api.frameworks.catalog(), frameworksAttention),
    one(() => api.repo.status(), repoAttention),
    one(() => api.reflash.getState(), reflashAttention),
    one(() => api.kernel.overdue(), kernelAttention),
  ]);
  return all.filter((a): a is LayerAttention => a !== undefined);
}
