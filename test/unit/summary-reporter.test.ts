import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// CI reads one line, "tests: N passed, N failed, N skipped". It must never say 0 failed for a red run, so a
// real vitest (a child process) runs the reporter over files that fail in every way: a failing test, and the
// ways that are not one (a file that throws at import, one that does not parse, failing beforeAll / afterAll
// hooks, an error thrown after a test finished).

const reporter = fileURLToPath(new URL('../plain-summary-reporter.ts', import.meta.url));
const vitestCli = join(createRequire(import.meta.url).resolve('vitest/package.json'), '..', 'vitest.mjs');

const files: Record<string, string> = {
  // 1 passed
  'pass.test.js': `it('passes', () => {});\n`,
  // 1 failed: the plain case
  'fails.test.js': `it('fails', () => { throw new Error('no'); });\n`,
  // 1 failed: vitest drops the test declared before the throw; the file itself failed to load
  'throws-at-import.test.js': `it('declared first', () => {});\nthrow new Error('broken at import');\n`,
  // 1 failed
  'syntax-error.test.js': `it('never parsed', () => {\n`,
  // 2 skipped (never ran), 1 failed: the hook
  'before-all-fails.test.js': `describe('s', () => {
  beforeAll(() => { throw new Error('setup broke'); });
  it('a', () => {});
  it('b', () => {});
});\n`,
  // 1 passed, 1 failed: the hook
  'after-all-fails.test.js': `it('ok', () => {});\nafterAll(() => { throw new Error('teardown broke'); });\n`,
  // 2 passed, 1 failed: the error thrown outside any test
  'late-error.test.js': `it('leaks a throwing timer', () => { setTimeout(() => { throw new Error('late'); }, 0); });
it('waits', async () => { await new Promise((r) => setTimeout(r, 50)); });\n`,
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-reporter-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const config = { test: { globals: true, include: ['*.test.js'], reporters: [reporter] } };
  await writeFile(join(dir, 'vitest.config.mjs'), `export default ${JSON.stringify(config)};\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('plain summary reporter', () => {
  it('counts files that failed to load and errors outside tests as failed; vitest exits non-zero', async () => {
    // The outer vitest's worker variables would make the inner run think it is a worker.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
    const run = await execa(
      process.execPath,
      [vitestCli, 'run', '--root', dir, '--config', join(dir, 'vitest.config.mjs')],
      { env, extendEnv: false, reject: false, cwd: dir },
    );
    expect(run.exitCode, run.stderr).not.toBe(0);
    const lines = String(run.stdout).match(/^tests: .*$/gm);
    expect(lines, `${run.stdout}\n${run.stderr}`).toEqual(['tests: 4 passed, 6 failed, 2 skipped']);
  }, 60_000);
});
