import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// Reads the BUILT main bundles (out/main, from `npx electron-vite build`) and follows their static imports: what a
// `kintsugi` start loads before it runs anything, and what `kintsugi os check` loads. Each command loads its own
// code with import() (cli/main.ts, cli/run-command.ts, the domains' runs, core/jobs/run-job.ts), so rollup splits
// the bundle; a static import of core in a domain's grammar, or of every domain's runners in run-job.ts, folds
// that code back into every start, and this test names what came back.
// Rolldown starts most modules with a `// <source path>` comment (not all: a module it merges may lose it), so a
// rule is checked per folder: every marked module of the folder is outside the loaded files, and the build holds
// at least one marked module of it (else the rule would pass by checking nothing).

const out = resolve('out/main');
const text = (file: string) => readFileSync(join(out, file), 'utf8');
let files: string[] = [];

beforeAll(() => {
  if (!existsSync(join(out, 'cli.js')))
    throw new Error('out/main/cli.js is missing: run `npm run build` first');
  files = readdirSync(out).filter((f) => f.endsWith('.js'));
});

/** The files a module loads before it runs: itself and its static imports, transitively. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of text(file).matchAll(/^import\s(?:[^;]*?\sfrom\s)?"\.\/([^"]+)";$/gm))
    staticClosure(m[1]!, seen);
  return seen;
}

/** What a command loads: cli.js, then the files holding the modules it imports on its way (SOURCES), with theirs. */
function loadedBy(sources: string[]): Set<string> {
  const loaded = staticClosure('cli.js');
  for (const src of sources) staticClosure(fileHolding(src), loaded);
  return loaded;
}

/** What FILE holds: its marked source modules (src/...), bundled packages and packages it imports from node_modules. */
function contents(file: string): string[] {
  const t = text(file);
  const marked = [...t.matchAll(/^\/\/ (\S+)$/gm)].map((m) => {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m[1]!)?.[1];
    return pkg ? `package ${pkg}` : m[1]!.replace(/^.*?src\//, 'src/');
  });
  const external = [...t.matchAll(/^import\s(?:[^;]*?\sfrom\s)?"([^".][^"]*)";$/gm)]
    .filter((m) => !m[1]!.startsWith('node:'))
    .map(
      (m) =>
        `package ${m[1]!
          .split('/')
          .slice(0, m[1]!.startsWith('@') ? 2 : 1)
          .join('/')}`,
    );
  return [...marked, ...external];
}

/** The one built file holding source module SRC. */
function fileHolding(src: string): string {
  const hits = files.filter((f) => contents(f).includes(src));
  expect(hits, `${src} should be in exactly one bundle file`).toHaveLength(1);
  return hits[0]!;
}

/** Fails naming every forbidden module the loaded files hold; a rule that matches nothing in the build fails too. */
function expectNotLoaded(loaded: Set<string>, forbidden: RegExp[]): void {
  const held = [...loaded].flatMap(contents);
  for (const rule of forbidden) {
    expect(
      files.some((f) => contents(f).some((c) => rule.test(c))),
      `${rule} matches nothing in out/main`,
    ).toBe(true);
    expect(held.filter((c) => rule.test(c))).toEqual([]);
  }
}

describe('the built CLI loads per command', () => {
  it('a start (--version, --help, parsing argv) loads the grammar, not core, execa or yaml', () => {
    const loaded = staticClosure('cli.js');
    const held = [...loaded].flatMap(contents);
    expect(held).toContain('src/main/cli/args.ts');
    expect(held).toContain('src/main/cli/domains/index.ts');
    expectNotLoaded(loaded, [
      /^src\/main\/core\/(flash|image|backup|models|repo|frameworks|schedule|os|drives|reflash|jobs|manifests)\//,
      /^src\/main\/core\/kernel\/(?!install\/(paths|heartbeat)\.ts)/,
      /^src\/main\/core\/services\.ts$/,
      /^src\/main\/cli\/(run-command|commands|device-host-client)\.ts$/,
      /^package (execa|yaml|fast-xml-parser|ollama|hash-wasm|drivelist)$/,
    ]);
  });

  it('`os check` of another root loads the OS code and the job service, no other domain', () => {
    const loaded = loadedBy([
      'src/main/cli/run-command.ts',
      'src/main/core/services.ts',
      'src/main/core/os/jobs.ts',
    ]);
    const held = [...loaded].flatMap(contents);
    expect(held).toContain('src/main/core/os/apt/check.ts');
    expect(held).toContain('src/main/core/jobs/run-job.ts');
    expectNotLoaded(loaded, [
      // The composition root (services.ts) builds the reflash flow, which builds its image requests: that one
      // module of image/ comes with it, no image checking.
      /^src\/main\/core\/image\/(?!requests\.ts)/,
      /^src\/main\/core\/(flash|models|repo|frameworks|schedule)\//,
      /^src\/main\/core\/kernel\/(?!install\/(paths|heartbeat)\.ts)/,
      // The core commands and the device host's client: a check of another root runs in the CLI's process.
      /^src\/main\/cli\/(commands|device-host-client)\.ts$/,
      /^package (fast-xml-parser|ollama|hash-wasm|drivelist)$/,
    ]);
  });

  it('`backup SRC DEST` loads the core commands, the job service and the device host client: no image checking, no OS backends', () => {
    // A backup runs in the device host; the CLI itself formats its result. The image checking code (decoders,
    // the .bmap parser) is imported by the commands that check an image, not by every core command.
    const loaded = loadedBy([
      'src/main/cli/run-command.ts',
      'src/main/cli/commands.ts',
      'src/main/core/services.ts',
      'src/main/cli/device-host-client.ts',
    ]);
    expectNotLoaded(loaded, [
      /^src\/main\/core\/image\/(?!requests\.ts)/,
      /^src\/main\/core\/(flash|models|repo|frameworks|schedule)\//,
      // The services load the OS backends when OS work asks for them (os.backends()), not when they are made.
      /^src\/main\/core\/os\/(apt|ostree|rpm-ostree)\//,
      /^package (yaml|fast-xml-parser|ollama|hash-wasm|drivelist)$/,
    ]);
  });

  it('`backup list` loads its listing and no services, execa or yaml: a command that keeps no state', () => {
    const loaded = loadedBy([
      'src/main/cli/run-command.ts',
      'src/main/core/backup/list.ts',
      'src/main/core/backup/lock.ts',
    ]);
    expectNotLoaded(loaded, [
      /^src\/main\/core\/(services|reflash\/flow)\.ts$/,
      /^src\/main\/core\/os\//,
      /^package (execa|yaml|fast-xml-parser|ollama|hash-wasm|drivelist)$/,
    ]);
  });
});
