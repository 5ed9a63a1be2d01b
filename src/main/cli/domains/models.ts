import { runAskingOnMetered } from '../metered-ask';
import { KintsugiError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format-bytes';
import { formatProblem } from '../../../shared/manifest-problem';
import type {
  ModelRow,
  ModelsList,
  PullResult,
  RemoveResult,
  VerifyResult,
} from '../../../shared/models/contract';
import { modelFileArg, modelSlugArg } from '../../../shared/models/tokens';
import type { OllamaBackendFactory } from '../../core/models/ollama-provider';
import { subcommand, type CliDomain } from '../domain-command';

// `kintsugi models list [--sizes] | pull SLUG | pull --missing [--yes] | remove SLUG [--delete-weights]
// [--confirm FILE] | verify [SLUG...] [--all]`, and through bin/kintsugi-models.js the guide's own lines. The same
// list and jobs as the app, unprivileged. `pull --missing` shows the total first and asks (never automatic: without
// a terminal it needs --yes). Exit codes: 0 ok; 1 a failure, or `verify` found a mismatch / missing model; 2 bad
// arguments.

const slugArg = (value: string): string => {
  const r = modelSlugArg.safeParse(value);
  if (!r.success)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `model slug ${JSON.stringify(value)}: ${r.error.issues[0]?.message}`,
      {
        hint: 'Use the slug as `kintsugi models list` shows it (e.g. qwen2.5-coder:7b).',
      },
    );
  return r.data;
};

const slugOrFileArg = (value: string): string =>
  value.endsWith('.gguf') && modelFileArg.safeParse(value).success ? value : slugArg(value);

function statusText(m: ModelRow): string {
  if (m.status === 'partial') return `partial${m.percent !== undefined ? ` ${m.percent}%` : ''}`;
  return m.status;
}

function table(list: ModelsList, sizes: boolean): string {
  if (!list.models.length) return 'No models.\n';
  const head = ['SLUG', 'FROM', 'SOURCE', 'STATUS', ...(sizes ? ['SIZE'] : []), 'GGUF'];
  const rows = list.models.map((m) => [
    m.slug,
    m.from,
    m.source,
    statusText(m),
    ...(sizes ? [m.sizeOnDisk !== undefined ? formatBytes(m.sizeOnDisk) : '-'] : []),
    m.gguf
      ? [
          m.gguf.architecture,
          m.gguf.quantization,
          m.gguf.parameterCount ? `${(m.gguf.parameterCount / 1e9).toFixed(2)}B params` : undefined,
          m.gguf.contextLength ? `ctx ${m.gguf.contextLength}` : undefined,
        ]
          .filter(Boolean)
          .join(' ')
      : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c))
      .join('  ')
      .trimEnd() + '\n';
  return line(head) + rows.map(line).join('');
}

function footer(list: ModelsList): string {
  const ollama = list.ollama.reachable
    ? ''
    : `\nOllama side unknown: ${list.ollama.reason} (${list.ollama.host}).\n`;
  const problems = list.problems.length
    ? `\nManifest problems (these entries were left out; the others loaded):\n${list.problems.map((p) => `  ${formatProblem(p)}\n`).join('')}`
    : '';
  return ollama + problems;
}

/** Core's model code, imported when a subcommand runs: not with the grammar every `kintsugi` start parses. */
const core = async () => {
  const [catalog, summary, provider] = await Promise.all([
    import('../../core/models/catalog'),
    import('../../core/models/summary'),
    import('../../core/models/ollama-provider'),
  ]);
  return { ...catalog, ...summary, ...provider };
};

/** ollamaBackend: how to reach Ollama; the real one when absent. */
export function modelsCli(ollamaBackend?: OllamaBackendFactory): CliDomain {
  const listAll = async (dataRoot: string) => {
    const { listModels, defaultOllamaBackend } = await core();
    return listModels(dataRoot, (ollamaBackend ?? defaultOllamaBackend)());
  };
  const list = subcommand<{ sizes: boolean }>({
    name: 'list',
    synopsis: 'list [--sizes]',
    summary:
      'recommended, your own and unlisted models: where from, status, GGUF header (--sizes: size on disk)',
    options: { sizes: { type: 'boolean' } },
    arity: { min: 0, max: 0, names: 'no arguments' },
    parse: ({ values }) => ({ sizes: values['sizes'] === true }),
    async run(input, c) {
      const l = await listAll(c.g.dataRoot);
      return {
        result: l,
        human: `Recommended: ${l.recommendedFile.path} (${l.recommendedFile.from})\nYours: ${l.userFile}\nFiles: ${l.modelsDir}\n\n${table(l, input.sizes)}${footer(l)}`,
      };
    },
  });

  const pull = subcommand<{ slug?: string; missing: boolean; yes: boolean; allowMetered: boolean }>({
    name: 'pull',
    synopsis: 'pull SLUG | pull --missing [--yes] [--allow-metered]',
    summary: 'download a model (resumes a partial one); --missing: every recommended model not yet present',
    options: {
      missing: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      'allow-metered': { type: 'boolean' },
    },
    arity: { min: 0, max: 1, names: 'SLUG' },
    parse: ({ args, values }) => {
      const missing = values['missing'] === true;
      if (missing === (args.length === 1))
        throw new KintsugiError('INVALID_ARGUMENT', 'pull takes either one SLUG or --missing');
      return {
        ...(args[0] ? { slug: slugArg(args[0]) } : {}),
        missing,
        yes: values['yes'] === true,
        allowMetered: values['allow-metered'] === true,
      };
    },
    async run(input, c) {
      const meteredSetting = (await (await c.services()).settings.load()).metered ?? 'auto';
      // On a metered network each pull asks (at a terminal) unless --allow-metered said yes up front.
      const pullOne = (slug: string) =>
        runAskingOnMetered(c, input.allowMetered, (allowMetered) => ({
          type: 'models-pull',
          params: { dataRoot: c.g.dataRoot, slug, allowMetered, meteredSetting },
        })) as Promise<PullResult>;
      const { findModel, loadModels, missingPlan } = await core();
      if (input.slug) {
        findModel(await loadModels(c.g.dataRoot), input.slug);
        const r = await pullOne(input.slug);
        return { result: r, human: pulledText(r) };
      }
      const plan = missingPlan(await listAll(c.g.dataRoot));
      if (!plan.slugs.length)
        return { result: { plan, pulled: [] }, human: 'Every recommended model is present.\n' };
      const sizeText = `${plan.slugs.length} model(s), ${formatBytes(plan.totalBytes)}${plan.unknownSizes.length ? ` plus ${plan.unknownSizes.length} of unknown size` : ''}: ${plan.slugs.join(', ')}`;
      if (!input.yes) {
        if (!c.io.stdinIsTTY)
          throw new KintsugiError('CONFIRMATION_REQUIRED', `pull --missing would fetch ${sizeText}`, {
            hint: 'Run it at a terminal to be asked, or add --yes.',
          });
        c.io.stderr.write(`Will pull ${sizeText}.\n`);
        const answer = (await c.io.readLine('Pull them? Type yes to continue: '))?.trim().toLowerCase();
        if (answer !== 'yes') throw new KintsugiError('CANCELLED', 'nothing was pulled');
      }
      const pulled: PullResult[] = [];
      for (const slug of plan.slugs) pulled.push(await pullOne(slug));
      return { result: { plan, pulled }, human: pulled.map(pulledText).join('') };
    },
  });

  const remove = subcommand<{ slug: string; deleteWeights: boolean; confirm?: string }>({
    name: 'remove',
    synopsis: 'remove SLUG [--delete-weights] [--confirm FILE]',
    summary:
      'drop your manifest entry; --delete-weights: the weights too (a file no manifest names: type its name)',
    options: { 'delete-weights': { type: 'boolean' }, confirm: { type: 'string' } },
    arity: { min: 1, max: 1, names: 'SLUG' },
    parse: ({ args, values }) => ({
      slug: slugOrFileArg(args[0]!),
      deleteWeights: values['delete-weights'] === true,
      ...(typeof values['confirm'] === 'string' ? { confirm: values['confirm'] } : {}),
    }),
    async run(input, c) {
      let typed = input.confirm;
      const { loadModels } = await core();
      const named = (await loadModels(c.g.dataRoot)).entries.some((e) => e.value.slug === input.slug);
      if (!named && input.deleteWeights && typed === undefined && c.io.stdinIsTTY)
        typed = (
          await c.io.readLine(`${input.slug} is named by no manifest. Type its file name to delete it: `)
        )?.trim();
      const r = (await c.run({
        type: 'models-remove',
        params: {
          dataRoot: c.g.dataRoot,
          slug: input.slug,
          deleteWeights: input.deleteWeights,
          ...(typed ? { typed } : {}),
        },
      })) as RemoveResult;
      return {
        result: r,
        human: `Removed ${r.slug}${r.entryRemoved ? ' from your manifest' : ''}${r.weightsDeleted.length ? `; deleted ${r.weightsDeleted.join(', ')}` : ''}\n`,
      };
    },
  });

  const verify = subcommand<{ slugs: string[]; all: boolean }>({
    name: 'verify',
    synopsis: 'verify [SLUG...] [--all]',
    summary: 'sha256 of GGUF files against the manifest, Ollama models by their digests; exit 1 on a problem',
    options: { all: { type: 'boolean' } },
    arity: { min: 0, max: 50, names: 'model slugs' },
    parse: ({ args, values }) => ({ slugs: args.map(slugArg), all: values['all'] === true }),
    async run(input, c) {
      const r = (await c.run({
        type: 'models-verify',
        params: { dataRoot: c.g.dataRoot, slugs: input.slugs, all: input.all },
      })) as VerifyResult;
      const width = Math.max(0, ...r.models.map((m) => m.slug.length));
      const human =
        r.models
          .map(
            (m) =>
              `${m.outcome.toUpperCase().padEnd(12)}  ${m.slug.padEnd(width)}  ${m.detail ?? ''}`.trimEnd() +
              '\n',
          )
          .join('') || 'No models to verify.\n';
      // Missing and unverifiable are reported but are no failure of the check itself (the monthly run verifies
      // what is there); a mismatch or a failed check is.
      const bad = r.models.some((m) => m.outcome === 'mismatch' || m.outcome === 'failed');
      return { result: r, human, exitCode: bad ? 1 : 0 };
    },
  });

  return {
    name: 'models',
    summary: 'Models (layer 2): Ollama models and GGUF files',
    defaultSubcommand: 'list',
    subcommands: [list, pull, remove, verify],
  };
}

function pulledText(r: PullResult): string {
  const resumed =
    r.resumedFrom > 0 ? ` (resumed at ${formatBytes(r.resumedFrom)}, fetched ${formatBytes(r.fetched)})` : '';
  return `Pulled ${r.slug}: ${formatBytes(r.bytes)}${resumed}${r.path ? ` -> ${r.path}` : ''}\n${r.warnings.map((w) => `  ${w}\n`).join('')}`;
}

export const modelsDomain = modelsCli();
