import { runAskingOnMetered } from '../metered-ask';
import { KintsugiError } from '../../../shared/errors';
import type { CatalogEntry, FrameworkCatalog, FrameworkJobResult } from '../../../shared/frameworks/contract';
import { frameworkName } from '../../../shared/frameworks/safe-tokens';
import { recipeKind } from '../../../shared/frameworks/entry';
import { formatProblem } from '../../../shared/manifest-problem';
import { subcommand, type CliDomain, type DomainCommandContext } from '../domain-command';

// `kintsugi frameworks list [--installed] | install NAME [--yes] | uninstall NAME | verify [NAME...] [--all]`,
// and through bin/kintsugi-frameworks.js the guide's own `kintsugi-frameworks ...` lines. Same catalog, consent
// rule and jobs as the app; apt and .deb recipes run here as root (sudo), as every device command does.
// Exit codes: 0 ok; 1 a failure, or `verify` found one NOT INSTALLED; 2 bad arguments (unknown option, a name
// the schema refuses).

const nameArg = (value: string): string => {
  const r = frameworkName.safeParse(value);
  if (!r.success)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `framework name ${JSON.stringify(value)}: ${r.error.issues[0]?.message}`,
    );
  return r.data;
};

/** Core's framework code, imported when a subcommand runs: not with the grammar every `kintsugi` start parses. */
const core = async () => {
  const [catalog, consent, requests, tools] = await Promise.all([
    import('../../core/frameworks/catalog'),
    import('../../core/frameworks/consent'),
    import('../../core/frameworks/requests'),
    import('../../core/frameworks/tools'),
  ]);
  return { ...catalog, ...consent, ...requests, ...tools };
};

async function load(c: DomainCommandContext): Promise<{ catalog: FrameworkCatalog; npmPrefix?: string }> {
  const [s, { frameworkCatalog, processTools }] = await Promise.all([
    c.services().then((services) => services.settings.load()),
    core(),
  ]);
  return { catalog: await frameworkCatalog(c.g.dataRoot, processTools(s.npmPrefix)), npmPrefix: s.npmPrefix };
}

const problemsText = (cat: FrameworkCatalog): string =>
  cat.problems.length
    ? `\nManifest problems (these entries were left out; the others loaded):\n${cat.problems.map((p) => `  ${formatProblem(p)}\n`).join('')}`
    : '';

function table(entries: CatalogEntry[]): string {
  if (!entries.length) return 'No frameworks.\n';
  const rows = entries.map((e) => [
    e.entry.name,
    e.entry.status + (e.source === 'user' ? ' (yours)' : ''),
    recipeKind(e.entry.recipe) + (e.needsRoot ? ' (root)' : ''),
    e.state.installed ? `installed${e.state.version ? `: ${e.state.version}` : ''}` : 'not installed',
  ]);
  const head = ['NAME', 'STATUS', 'RECIPE', 'STATE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ') + '\n';
  return line(head) + rows.map(line).join('');
}

const list = subcommand<{ installed: boolean }>({
  name: 'list',
  synopsis: 'list [--installed]',
  summary: 'the recommended and your own frameworks, and which are installed',
  options: { installed: { type: 'boolean' } },
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: ({ values }) => ({ installed: values['installed'] === true }),
  async run(input, c) {
    const { catalog } = await load(c);
    const entries = input.installed ? catalog.entries.filter((e) => e.state.installed) : catalog.entries;
    return {
      result: { ...catalog, entries },
      human: `Recommended: ${catalog.recommendedFile.path} (${catalog.recommendedFile.from})\nYours: ${catalog.userFile}\n\n${table(entries)}${problemsText(catalog)}`,
    };
  },
});

const install = subcommand<{ name: string; yes: boolean; allowMetered: boolean }>({
  name: 'install',
  synopsis: 'install NAME [--yes] [--allow-metered]',
  summary: 'install a framework by its recipe (--yes for evaluating and your own entries)',
  options: { yes: { type: 'boolean', short: 'y' }, 'allow-metered': { type: 'boolean' } },
  arity: { min: 1, max: 1, names: 'NAME' },
  parse: ({ args, values }) => ({
    name: nameArg(args[0]!),
    yes: values['yes'] === true,
    allowMetered: values['allow-metered'] === true,
  }),
  async run(input, c) {
    const { catalog, npmPrefix } = await load(c);
    const { findEntry, requireConsent, installRequest } = await core();
    const found = findEntry(catalog, input.name);
    requireConsent(found.entry, found.source, input.yes);
    requireRootFor(found, c, 'install');
    const meteredSetting = (await (await c.services()).settings.load()).metered ?? 'auto';
    const r = (await runAskingOnMetered(c, input.allowMetered, (allowMetered) =>
      installRequest(found.entry, npmPrefix, { allowMetered, meteredSetting }),
    )) as FrameworkJobResult;
    const signIn = found.entry.sign_in;
    return {
      result: { ...r, signIn: signIn ?? null },
      human: `Installed ${r.name}${r.state.version ? `: ${r.state.version}` : ''}${r.state.path ? ` (${r.state.path})` : ''}\n${signIn ? `Next: ${signIn}\n` : ''}`,
    };
  },
});

const uninstall = subcommand<{ name: string }>({
  name: 'uninstall',
  synopsis: 'uninstall NAME',
  summary: 'remove a framework the way its recipe installed it',
  arity: { min: 1, max: 1, names: 'NAME' },
  parse: ({ args }) => ({ name: nameArg(args[0]!) }),
  async run(input, c) {
    const { catalog, npmPrefix } = await load(c);
    const { findEntry, uninstallRequest } = await core();
    const found = findEntry(catalog, input.name);
    requireRootFor(found, c, 'uninstall');
    const r = (await c.run(uninstallRequest(found.entry, npmPrefix))) as FrameworkJobResult;
    return { result: r, human: `Uninstalled ${r.name}\n` };
  },
});

const verify = subcommand<{ names: string[]; all: boolean }>({
  name: 'verify',
  synopsis: 'verify [NAME...] [--all]',
  summary:
    'OK / NOT INSTALLED per framework (the recommended ones; --all: every entry); exit 1 if one is missing',
  options: { all: { type: 'boolean' } },
  arity: { min: 0, max: 50, names: 'framework names' },
  parse: ({ args, values }) => ({ names: args.map(nameArg), all: values['all'] === true }),
  async run(input, c) {
    const { catalog } = await load(c);
    const { findEntry } = await core();
    const chosen = input.names.length
      ? input.names.map((n) => findEntry(catalog, n))
      : catalog.entries.filter((e) => input.all || e.entry.status === 'recommended');
    const rows = chosen.map((e) => ({ name: e.entry.name, ok: e.state.installed, state: e.state }));
    const width = Math.max(0, ...rows.map((r) => r.name.length));
    const human = rows
      .map(
        (r) =>
          `${(r.ok ? 'OK' : 'NOT INSTALLED').padEnd(13)}  ${r.name.padEnd(width)}  ${r.ok ? (r.state.version ?? '') : (r.state.reason ?? '')}`.trimEnd() +
          '\n',
      )
      .join('');
    return {
      result: { frameworks: rows, problems: catalog.problems },
      human: human + problemsText(catalog),
      exitCode: rows.every((r) => r.ok) ? 0 : 1,
    };
  },
});

/** apt and .deb recipes change the system's packages: the CLI runs them itself, so it must be root (sudo). */
function requireRootFor(found: CatalogEntry, c: DomainCommandContext, verb: string): void {
  if (found.needsRoot && c.io.getuid() !== 0)
    throw new KintsugiError(
      'NEEDS_ROOT',
      `${found.entry.name} is a system package (${recipeKind(found.entry.recipe)})`,
      {
        message: 'This framework is a system package and needs root.',
        hint: `Run it again with sudo: sudo kintsugi frameworks ${verb} ${found.entry.name}`,
      },
    );
}

export const frameworksCli: CliDomain = {
  name: 'frameworks',
  summary: 'Agentic frameworks (layer 3)',
  defaultSubcommand: 'list',
  subcommands: [list, install, uninstall, verify],
};
