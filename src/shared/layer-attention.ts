import type { FrameworkCatalog } from './frameworks/contract';
import type { MissingPlan } from './models/contract';
import { restoreOutcome } from './reflash/outcome';
import type { ReflashState } from './reflash/state';
import type { RepoStatus } from './repo/model';

// "Something on this machine or drive needs you", per layer, as counts the tray badge adds up. Read from what the
// app's own calls already answer (models.missing, frameworks.catalog, repo.status, reflash.getState: the data the
// home cards show), with the same rules as the home cards' glances, so the badge and the cards agree. Pure.

export interface LayerAttention {
  layer: 'models' | 'frameworks' | 'repo' | 'reflash' | 'kernel';
  count: number;
  /** A few words for the tooltip. */
  text: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Recommended models missing or partly downloaded (what `pull --missing` would fetch). */
export function modelsAttention(plan: Pick<MissingPlan, 'slugs'>): LayerAttention | undefined {
  const n = plan.slugs.length;
  return n ? { layer: 'models', count: n, text: `${plural(n, 'recommended model')} to pull` } : undefined;
}

/** The frameworks the toolkit recommends (the home card's and the tray's one rule). */
export const recommendedFrameworks = (c: Pick<FrameworkCatalog, 'entries'>) =>
  c.entries.filter((e) => e.source === 'recommended' && e.entry.status === 'recommended');

/** Recommended frameworks (the toolkit's suggestions) not installed. */
export function frameworksAttention(c: Pick<FrameworkCatalog, 'entries'>): LayerAttention | undefined {
  const n = recommendedFrameworks(c).filter((e) => !e.state.installed).length;
  return n
    ? { layer: 'frameworks', count: n, text: `${plural(n, 'recommended framework')} to install` }
    : undefined;
}

/** The docs & scripts clone: missing, or behind its remote (one thing to do either way: clone or pull). */
export function repoAttention(s: Pick<RepoStatus, 'cloned' | 'behind'>): LayerAttention | undefined {
  if (!s.cloned) return { layer: 'repo', count: 1, text: 'docs & scripts not cloned' };
  if (s.behind > 0)
    return { layer: 'repo', count: 1, text: `docs & scripts ${plural(s.behind, 'commit')} behind` };
  return undefined;
}

/** A reflash that wrote the drive and has not put the person's data back yet. */
export function reflashAttention(
  s: Pick<ReflashState, 'writtenDevice' | 'backup' | 'restore'>,
): LayerAttention | undefined {
  if (!s.writtenDevice || !s.backup) return undefined;
  const o = restoreOutcome(s);
  return o.kind === 'not-restored' || o.kind === 'incomplete'
    ? { layer: 'reflash', count: 1, text: `data not restored on ${s.writtenDevice}` }
    : undefined;
}

/** Kernel installs past their heartbeat deadline (kernel.overdue): the new kernel may not have booted. */
export function kernelAttention(overdueHosts: readonly string[]): LayerAttention | undefined {
  const n = overdueHosts.length;
  return n
    ? { layer: 'kernel', count: n, text: `kernel heartbeat overdue on ${overdueHosts.join(', ')}` }
    : undefined;
}
