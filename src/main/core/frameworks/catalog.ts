import type { CatalogEntry, FrameworkCatalog } from '../../../shared/frameworks/contract';
import { recipeNeedsRoot } from '../../../shared/frameworks/entry';
import { KintsugiError } from '../../../shared/errors';
import { needsYes } from './consent';
import { vscodeExtensions } from './detect';
import { loadFrameworkManifests } from './manifest';
import { installedState } from './state';
import type { FrameworkTools } from './tools';

// The catalog the page, the CLI and the install flow read: every entry with its source, whether it needs root or
// a yes, and whether it is installed right now (asked of the system, all entries at once).

export async function frameworkCatalog(
  dataRoot: string,
  tools: FrameworkTools,
  opts: { shippedDir?: string } = {},
): Promise<FrameworkCatalog> {
  const m = await loadFrameworkManifests(dataRoot, opts.shippedDir);
  const wantsCode = m.entries.some((e) => e.value.recipe.vscode !== undefined);
  const extensions = wantsCode ? await vscodeExtensions(tools.env) : null;
  const entries: CatalogEntry[] = await Promise.all(
    m.entries.map(async (e) => ({
      entry: e.value,
      source: e.source,
      shadowsRecommended: e.shadowsRecommended,
      needsRoot: recipeNeedsRoot(e.value.recipe),
      needsYes: needsYes(e.value, e.source),
      state: await installedState(e.value, tools, extensions),
    })),
  );
  return { entries, problems: m.problems, recommendedFile: m.recommendedFile, userFile: m.userFile };
}

export function findEntry(
  catalog: Pick<FrameworkCatalog, 'entries' | 'problems'>,
  name: string,
): CatalogEntry {
  const found = catalog.entries.find((e) => e.entry.name === name);
  if (found) return found;
  const broken = catalog.problems.find((p) => p.message.includes(`"${name}"`));
  throw new KintsugiError(
    'FRAMEWORK_NOT_FOUND',
    broken
      ? `${name}: its entry did not load (${broken.file}:${broken.line}:${broken.column}: ${broken.message})`
      : `no framework named ${name} (known: ${catalog.entries.map((e) => e.entry.name).join(', ') || 'none'})`,
  );
}
