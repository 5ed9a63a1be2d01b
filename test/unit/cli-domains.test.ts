import { describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { parseCli } from '../../src/main/cli/args';
import { subcommand, type CliDomain } from '../../src/main/cli/domain-command';
import { domainOptions } from '../../src/main/cli/domains';
import { domainUsage } from '../../src/main/cli/usage';

// The hook through which a domain brings its own `kintsugi <domain> ...` commands: routing, the default
// subcommand, arity, options scoped to their subcommand, option clashes, and the usage lines.

const pin = subcommand<{ tag: string; copy: boolean }>({
  name: 'pin',
  synopsis: 'pin TAG [--copy]',
  summary: 'pin to a release tag',
  options: { copy: { type: 'boolean' } },
  arity: { min: 1, max: 1, names: 'TAG' },
  parse: ({ args, values }) => ({ tag: args[0]!, copy: values['copy'] === true }),
  run: (input) => Promise.resolve({ result: input, human: `${input.tag}\n` }),
});
const status = subcommand<{ root: string }>({
  name: 'status',
  synopsis: 'status',
  summary: 'what the clone is at',
  arity: { min: 0, max: 0, names: 'no arguments' },
  parse: ({ globals }) => ({ root: globals.dataRoot }),
  run: (input) => Promise.resolve({ result: input, human: '' }),
});
const demo: CliDomain = {
  name: 'demo',
  summary: 'Demo domain',
  defaultSubcommand: 'status',
  subcommands: [status, pin],
};
const parse = (argv: string[]) => parseCli(argv, '/w', {}, [demo]);

/** The detail of the INVALID_ARGUMENT a parse throws (the headline is generic; the detail names the problem). */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(KintsugiError);
    expect((err as KintsugiError).code).toBe('INVALID_ARGUMENT');
    return (err as KintsugiError).detail ?? '';
  }
  throw new Error('expected the parse to refuse');
}

describe('domain commands', () => {
  it('routes to the subcommand with its typed input and the global options', () => {
    const p = parse(['demo', 'pin', 'v1.2', '--copy', '--json']);
    expect(p.json).toBe(true);
    expect(p.command).toMatchObject({
      cmd: 'domain',
      subcommand: { name: 'pin' },
      input: { tag: 'v1.2', copy: true },
    });
    expect(parse(['--data-root', '/d', 'demo']).command).toMatchObject({
      subcommand: { name: 'status' },
      input: { root: '/d' },
    });
  });

  it('refuses an unknown subcommand, a wrong arity and an option of another command, naming them', () => {
    expect(refusal(() => parse(['demo', 'pim']))).toMatch(
      /unknown demo subcommand: pim \(expected: status \| pin\)/,
    );
    expect(refusal(() => parse(['demo', 'pin']))).toMatch(/demo pin takes TAG; got nothing/);
    expect(refusal(() => parse(['demo', 'status', '--copy']))).toMatch(
      /--copy does not apply to demo status/,
    );
    // A domain's option is not an option of the core commands.
    expect(refusal(() => parse(['flash', 'a.img', '/dev/loop0', '--copy']))).toMatch(
      /--copy does not apply to flash/,
    );
    // Without the domain, the command is unknown.
    expect(refusal(() => parseCli(['demo'], '/w', {}, []))).toMatch(/unknown command: demo/);
  });

  it('a domain without a default subcommand asks for one', () => {
    expect(refusal(() => parseCli(['demo'], '/w', {}, [{ ...demo, defaultSubcommand: undefined }]))).toMatch(
      /demo needs a subcommand: status \| pin/,
    );
  });

  it('catches two declarations of one option that disagree', () => {
    const clash = subcommand<null>({
      ...status,
      name: 'x',
      options: { copy: { type: 'string' } },
      parse: () => null,
    });
    expect(() => domainOptions([demo, { ...demo, name: 'other', subcommands: [clash] }])).toThrow(
      /--copy of `other x` clashes/,
    );
    expect(Object.keys(domainOptions([demo, demo]))).toEqual(['copy']);
  });

  it('lists each subcommand in the usage under its domain', () => {
    const text = domainUsage([demo]);
    expect(text).toContain('Demo domain:');
    expect(text).toMatch(/^ {2}demo pin TAG \[--copy\] +pin to a release tag$/m);
  });
});
