import type { CliDomain, OptionSpec } from '../domain-command';
import { frameworksCli } from './frameworks';
import { modelsDomain } from './models';
import { osDomain } from './os';
import { repoDomain } from './repo';
import { scheduleDomain } from './schedule';

// Every domain that brings its own `kintsugi <domain> ...` commands, listed once. Order is the order of --help.
export const CLI_DOMAINS: readonly CliDomain[] = [
  repoDomain,
  frameworksCli,
  modelsDomain,
  scheduleDomain,
  osDomain,
];

/**
 * The options of every domain subcommand, merged for the one parseArgs call. An option two subcommands declare
 * with different types would parse one of them wrongly: that is a programming error, caught at startup (and by
 * the unit test that loads this module).
 */
export function domainOptions(
  domains: readonly CliDomain[] = CLI_DOMAINS,
  base: Record<string, OptionSpec> = {},
): Record<string, OptionSpec> {
  const all: Record<string, OptionSpec> = { ...base };
  for (const d of domains)
    for (const s of d.subcommands)
      for (const [name, spec] of Object.entries(s.options ?? {})) {
        const seen = all[name];
        if (seen && (seen.type !== spec.type || seen.short !== spec.short))
          throw new Error(`option --${name} of \`${d.name} ${s.name}\` clashes with another declaration`);
        all[name] = spec;
      }
  return all;
}
