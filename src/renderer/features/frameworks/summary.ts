import type { FrameworkCatalog } from '../../../shared/frameworks/contract';
import { recommendedFrameworks } from '../../../shared/layer-attention';

// The frameworks at a glance, for the home card: installed counts among the recommended ones (the ones the
// toolkit suggests), the user's own counted apart, and problems named.

export interface FrameworksGlance {
  text: string;
  tone: 'muted' | 'ok' | 'warn';
  action: string;
}

export function frameworksGlance(catalog: FrameworkCatalog | undefined): FrameworksGlance {
  if (!catalog) return { text: 'Reading the catalog…', tone: 'muted', action: 'Open frameworks' };
  const recommended = recommendedFrameworks(catalog);
  const missing = recommended.filter((e) => !e.state.installed).length;
  const installed = catalog.entries.filter((e) => e.state.installed).length;
  const problems = catalog.problems.length
    ? ` ${catalog.problems.length} manifest problem${catalog.problems.length === 1 ? '' : 's'}.`
    : '';
  if (missing > 0)
    return {
      text: `${missing} recommended framework${missing === 1 ? '' : 's'} not installed; ${installed} installed.${problems}`,
      tone: 'warn',
      action: 'Install frameworks…',
    };
  return {
    text: `All ${recommended.length} recommended installed; ${installed} in all.${problems}`,
    tone: problems ? 'warn' : 'ok',
    action: 'Open frameworks',
  };
}
