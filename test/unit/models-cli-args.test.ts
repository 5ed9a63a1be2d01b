import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/main/cli/args';
import { SCHEDULED_TASKS, taskArgv } from '../../src/main/core/schedule/tasks';

// The guide's `kintsugi-models` lines (the bin prefixes `models`) and the monthly scheduled `models verify` parse
// with the CLI's grammar into the models subcommands; wrong shapes are usage errors (exit 2), not runs.

const parse = (...argv: string[]) => parseCli(argv, '/', {});
const sub = (...argv: string[]) => {
  const c = parse(...argv).command;
  return c.cmd === 'domain' ? { name: c.subcommand.name, input: c.input } : c;
};

describe('kintsugi models grammar', () => {
  it.each([
    [['models', 'list'], { name: 'list', input: { sizes: false } }],
    [['models', 'list', '--sizes'], { name: 'list', input: { sizes: true } }],
    [
      ['models', 'pull', 'qwen3.5:4b'],
      { name: 'pull', input: { slug: 'qwen3.5:4b', missing: false, yes: false, allowMetered: false } },
    ],
    [
      ['models', 'pull', '--missing', '--allow-metered'],
      { name: 'pull', input: { missing: true, yes: false, allowMetered: true } },
    ],
    [
      ['models', 'remove', 'mine', '--delete-weights'],
      { name: 'remove', input: { slug: 'mine', deleteWeights: true } },
    ],
    [['models', 'verify', '--all'], { name: 'verify', input: { slugs: [], all: true } }],
    [['models'], { name: 'list', input: { sizes: false } }],
  ])('%j', (argv, expected) => {
    expect(sub(...argv)).toEqual(expected);
  });

  it('the scheduled monthly task runs `models verify`, which parses', () => {
    const task = SCHEDULED_TASKS.find((t) => t.name === 'kintsugi-models-verify')!;
    const argv = taskArgv([], '/data', task);
    expect(sub(...argv)).toEqual({ name: 'verify', input: { slugs: [], all: false } });
    expect(parse(...argv).dataRoot).toBe('/data');
  });

  it.each([
    [['models', 'pull']],
    [['models', 'pull', 'a', '--missing']],
    [['models', 'pull', 'a;b']],
    [['models', 'pull', '$(id)']],
    [['models', 'remove', '../x.gguf']],
    [['models', 'list', '--missing']],
    [['models', 'verify', 'a b']],
  ])('%j is a usage error', (argv) => {
    expect(() => parse(...argv)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
