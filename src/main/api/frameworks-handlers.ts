import type { DomainApi } from '../../shared/ipc/define';
import type { Domains } from '../../shared/registry';
import { findEntry, frameworkCatalog } from '../core/frameworks/catalog';
import { requireConsent } from '../core/frameworks/consent';
import { installRequest, uninstallRequest } from '../core/frameworks/requests';
import { processTools } from '../core/frameworks/tools';
import type { HandlerDeps } from './deps';

// The frameworks page's calls. Install and uninstall take a name: the entry, its recipe and the job's host come
// from main's own catalog (read fresh, so a pull or an edit of the user manifest counts at once), and the consent
// rule is checked here, where the power is, not in the page.

export function frameworksHandlers(deps: HandlerDeps): DomainApi<Domains['frameworks']> {
  const context = async () => {
    const s = await deps.settings.load();
    return {
      dataRoot: s.dataRoot,
      tools: processTools(s.npmPrefix),
      npmPrefix: s.npmPrefix,
      meteredSetting: s.metered ?? 'auto',
    };
  };
  const catalog = async () => {
    const c = await context();
    return frameworkCatalog(c.dataRoot, c.tools);
  };
  return {
    catalog,
    installed: async () => (await catalog()).entries.filter((e) => e.state.installed),
    async install({ name, yes, allowMetered }) {
      const [c, cat] = await Promise.all([context(), catalog()]);
      const found = findEntry(cat, name);
      requireConsent(found.entry, found.source, yes === true);
      const metered = { allowMetered: allowMetered === true, meteredSetting: c.meteredSetting };
      return { jobId: deps.runner.start(installRequest(found.entry, c.npmPrefix, metered), deps.executor) };
    },
    async uninstall({ name }) {
      const [c, cat] = await Promise.all([context(), catalog()]);
      const found = findEntry(cat, name);
      return { jobId: deps.runner.start(uninstallRequest(found.entry, c.npmPrefix), deps.executor) };
    },
  };
}
