import type { JobRequest } from '../../shared/registry';
import type { Services, ServicesOptions } from '../core/services';
import type { GlobalOptions } from './args';
import type { CliIo } from './io';

// How a domain brings its own commands (`kintsugi repo status`, `kintsugi frameworks install NAME`) without
// growing args.ts and commands.ts: each domain exports one CliDomain from src/main/cli/domains/<domain>.ts, listed
// once in domains/index.ts. The grammar (options, arity, typed input) and the runner of a subcommand sit side by
// side; args.ts only routes `kintsugi <domain> <subcommand>` to it.

export type OptionSpec = { type: 'string' | 'boolean'; short?: string };

/** What parseCli hands a subcommand: its positionals after the subcommand name and its own option values. */
export interface SubcommandArgv {
  args: string[];
  values: Record<string, string | boolean | undefined>;
  /** Relative paths are made absolute against this. */
  cwd: string;
  globals: GlobalOptions;
}

export interface DomainCommandContext {
  io: CliIo;
  g: GlobalOptions;
  /** Created (and its code loaded) on first use, so a command that keeps no state loads none of it; the first
   * caller may set overrides. */
  services: (overrides?: ServicesOptions['settingsOverrides']) => Promise<Services>;
  /** Runs a job on the journaled job service with the CLI's progress view (Ctrl-C cancels it). */
  run: (req: JobRequest) => Promise<unknown>;
}

export interface DomainCommandOutput {
  /** Printed as {"result": ...} with --json. */
  result: unknown;
  /** Printed otherwise (escaped for the terminal by main). */
  human: string;
  /** 0 unless said otherwise: e.g. `frameworks verify` exits 1 when one is NOT INSTALLED. */
  exitCode?: number;
}

export interface CliSubcommand<I = unknown> {
  name: string;
  /** One usage line after `kintsugi <domain> `, e.g. `pin TAG`. */
  synopsis: string;
  summary: string;
  /** Options on top of the global ones (--json, --data-root, ...). */
  options?: Record<string, OptionSpec>;
  /** Positional arguments: how many, and their names for the error message. */
  arity: { min: number; max: number; names: string };
  /** Turns argv into a typed input; throws INVALID_ARGUMENT (exit 2, usage shown) on bad input. */
  parse(argv: SubcommandArgv): I;
  run(input: I, c: DomainCommandContext): Promise<DomainCommandOutput>;
}

export interface CliDomain {
  name: string;
  summary: string;
  /** `kintsugi <domain>` alone runs this subcommand (e.g. `status`, `list`). */
  defaultSubcommand?: string;
  /** The name is also a core command (`backup SOURCE DEST`): only argv naming a subcommand is routed here. */
  onlySubcommands?: true;
  subcommands: CliSubcommand<never>[];
}

/** Keeps a subcommand's input type checked between parse and run while listing it among others. */
export function subcommand<I>(def: CliSubcommand<I>): CliSubcommand<never> {
  return def as unknown as CliSubcommand<never>;
}
