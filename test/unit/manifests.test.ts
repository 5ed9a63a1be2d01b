import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FRAMEWORKS_MANIFEST, loadFrameworkManifests } from '../../src/main/core/frameworks/manifest';
import {
  cloneManifestDir,
  userFrameworksManifest,
  userModelsManifest,
} from '../../src/main/core/layers/data-layout';
import { loadModelsManifest, MODELS_MANIFEST } from '../../src/main/core/manifests/models';
import { parseManifestText } from '../../src/main/core/manifests/parse-manifest';
import { shippedManifestDir } from '../../src/main/core/manifests/shipped-dir';

// The generic manifest loader through the frameworks and models specs: positions of YAML errors and of bad
// values, per-entry validation (the others still load), names that would inject into a command line, duplicates,
// clone-over-shipped discovery and user shadowing.

const parse = (text: string) => parseManifestText(text, 'f.yaml', FRAMEWORKS_MANIFEST);
const fw = (name: string, extra = '') =>
  `  - name: ${name}\n    status: recommended\n    recipe: { npm: "pkg-${name.replace(/[^a-z]/g, '')}" }\n    binary: b${extra}\n`;

describe('parseManifestText', () => {
  it('reports malformed YAML at its line and column, with no entries', () => {
    const r = parse('frameworks:\n  - name: a\n    recipe: { npm: "x"\n');
    expect(r.entries).toEqual([]);
    expect(r.problems[0]).toMatchObject({ file: 'f.yaml', line: 4, column: 1 });
    expect(r.problems[0]!.message).toMatch(/^not valid YAML: /);
  });

  it('reports a bad value at the value itself, and still loads the other entries', () => {
    const text = `frameworks:\n${fw('good')}  - name: bad\n    status: recommended\n    recipe: { npm: "ok; rm -rf /" }\n    binary: b\n${fw('also-good')}`;
    const r = parse(text);
    expect(r.entries.map((e) => e.value.name)).toEqual(['good', 'also-good']);
    expect(r.problems).toHaveLength(1);
    // line 8 is `    recipe: { npm: "ok; rm -rf /" }`; the string starts at column 20.
    expect(r.problems[0]).toMatchObject({ line: 8, column: 20 });
    expect(r.problems[0]!.message).toMatch(/^entry 2 \("bad"\): recipe\.npm: must be an npm package name/);
    expect(r.entries[1]).toMatchObject({ line: 10, column: 5 });
  });

  it.each([
    ['a;b', ';'],
    ['x$(id)', '$(...)'],
    ['"two words"', 'a space'],
    ['../etc', '../'],
    ['-rf', 'a leading dash'],
  ])('refuses the name %s (%s) at its position', (name) => {
    const r = parse(`frameworks:\n  - name: ${name}\n    recipe: { npm: "x" }\n    binary: x\n`);
    expect(r.entries).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ line: 2, column: 11 });
    expect(r.problems[0]!.message).toMatch(/name: must be 1-64 lower-case letters/);
  });

  it('refuses ".." inside a name even where no "/" follows', () => {
    const r = parse('frameworks:\n  - name: x..y\n    recipe: { npm: "x" }\n    binary: x\n');
    expect(r.problems.map((p) => p.message)).toEqual(['entry 1 ("x..y"): name: must not contain ".."']);
  });

  it.each([
    ['pipx', '"aider-chat; curl x"'],
    ['apt', '"pkg $(id)"'],
    ['vscode', '"../ext"'],
  ])('refuses an injected %s package, and a binary with a path', (kind, value) => {
    const binary = kind === 'vscode' ? '' : '    binary: x\n';
    const r = parse(`frameworks:\n  - name: n\n    recipe: { ${kind}: ${value} }\n${binary}`);
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(new RegExp(`recipe\\.${kind}: must be`)),
    ]);
    const b = parse(`frameworks:\n  - name: n\n    recipe: { npm: "x" }\n    binary: ../../bin/sh\n`);
    expect(b.problems[0]!.message).toMatch(/binary: must be a command name/);
  });

  it('requires exactly one recipe kind, a binary unless vscode, and needs_root to agree with the recipe', () => {
    const two = parse('frameworks:\n  - name: n\n    recipe: { npm: "x", pipx: "y" }\n    binary: x\n');
    expect(two.problems[0]!.message).toMatch(/a recipe names exactly one of npm, pipx, apt, deb, vscode/);
    const noBin = parse('frameworks:\n  - name: n\n    recipe: { npm: "x" }\n');
    expect(noBin.problems[0]!.message).toMatch(/binary: the command this recipe installs is required/);
    const root = parse(
      'frameworks:\n  - name: n\n    recipe: { npm: "x" }\n    binary: x\n    needs_root: true\n',
    );
    expect(root.problems[0]).toMatchObject({ line: 5, column: 17 });
    expect(root.problems[0]!.message).toMatch(/needs_root: npm recipes do not need root/);
    const deb = parse(
      `frameworks:\n  - name: n\n    recipe: { deb: { url: "http://example.com/x.deb", sha256: "${'a'.repeat(64)}", package: x1 } }\n    binary: x\n`,
    );
    expect(deb.problems[0]!.message).toMatch(/recipe\.deb\.url: must be an https:\/\/ URL/);
  });

  it('a user entry without status is evaluating; unknown keys are refused', () => {
    const r = parse(
      'frameworks:\n  - name: n\n    recipe: { npm: "x" }\n    binary: x\n    api_key: sk-123\n',
    );
    expect(r.problems[0]!.message).toMatch(/Unrecognized key.*api_key/);
    const ok = parse('frameworks:\n  - name: n\n    recipe: { npm: "x" }\n    binary: x\n');
    expect(ok.entries[0]!.value.status).toBe('evaluating');
  });

  it('reports a second entry of the same name and keeps the first', () => {
    const r = parse(`frameworks:\n${fw('dup')}${fw('dup')}`);
    expect(r.entries).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ line: 6, column: 5 });
    expect(r.problems[0]!.message).toMatch(/"dup" is already declared at line 2/);
  });

  it('says what is wrong with the shape: no list key, a list that is not a list, an empty file', () => {
    expect(parse('models: []\n').problems[0]!.message).toMatch(/no `frameworks:` list/);
    expect(parse('frameworks: aider\n').problems[0]).toMatchObject({ line: 1, column: 13 });
    expect(parse('')).toEqual({ entries: [], problems: [] });
  });

  it('validates model entries with their own schema', () => {
    const r = parseManifestText(
      'models:\n  - slug: llama3.1:8b\n    source: ollama\n  - slug: "x; rm"\n    source: ollama\n  - slug: g\n    source: huggingface\n    repo: a/b\n    file: ../x.gguf\n',
      'm.yaml',
      MODELS_MANIFEST,
    );
    expect(r.entries.map((e) => e.value.slug)).toEqual(['llama3.1:8b']);
    expect(r.problems.map((p) => [p.line, p.message.replace(/:.*$/, '')])).toEqual([
      [4, 'entry 2 ("x; rm")'],
      [9, 'entry 3 ("g")'],
    ]);
  });
});

describe('loadFrameworkManifests / loadModelsManifest (discovery and shadowing)', () => {
  let data: string;
  let shipped: string;
  beforeEach(async () => {
    data = await mkdtemp(join(tmpdir(), 'kintsugi-manifests-'));
    shipped = join(data, 'shipped');
    await mkdir(shipped);
    await writeFile(
      join(shipped, 'agentic-frameworks-recommended.yaml'),
      `frameworks:\n${fw('aider')}${fw('claude-code')}`,
    );
  });
  afterEach(() => rm(data, { recursive: true, force: true }));

  it('reads the shipped copy when there is no clone', async () => {
    const m = await loadFrameworkManifests(data, shipped);
    expect(m.recommendedFile).toEqual({
      path: join(shipped, 'agentic-frameworks-recommended.yaml'),
      from: 'shipped',
    });
    expect(m.entries.map((e) => [e.value.name, e.source])).toEqual([
      ['aider', 'recommended'],
      ['claude-code', 'recommended'],
    ]);
  });

  it("prefers the clone's file (a pull brings new recommendations)", async () => {
    await mkdir(cloneManifestDir(data), { recursive: true });
    await writeFile(
      join(cloneManifestDir(data), 'agentic-frameworks-recommended.yaml'),
      `frameworks:\n${fw('codex')}`,
    );
    const m = await loadFrameworkManifests(data, shipped);
    expect(m.recommendedFile.from).toBe('clone');
    expect(m.entries.map((e) => e.value.name)).toEqual(['codex']);
  });

  it("falls back to the shipped copy when the clone's file does not parse, and reports it", async () => {
    await mkdir(cloneManifestDir(data), { recursive: true });
    const broken = join(cloneManifestDir(data), 'agentic-frameworks-recommended.yaml');
    await writeFile(broken, 'frameworks: [\n');
    const m = await loadFrameworkManifests(data, shipped);
    expect(m.recommendedFile.from).toBe('shipped');
    expect(m.entries.map((e) => e.value.name)).toEqual(['aider', 'claude-code']);
    expect(m.problems[0]!.file).toBe(broken);
  });

  it("lets a user entry shadow the recommended one in place, adds the user's others, and reports the user's bad ones", async () => {
    await mkdir(join(data, 'frameworks', 'user'), { recursive: true });
    await writeFile(
      userFrameworksManifest(data),
      'frameworks:\n  - name: aider\n    recipe: { pipx: "aider-chat==0.50.0" }\n    binary: aider\n' +
        '  - name: mine\n    recipe: { npm: "my-fw" }\n    binary: myfw\n  - name: "bad name"\n    recipe: { npm: "x" }\n    binary: x\n',
    );
    const m = await loadFrameworkManifests(data, shipped);
    expect(m.entries.map((e) => [e.value.name, e.source, e.shadowsRecommended])).toEqual([
      ['aider', 'user', true],
      ['claude-code', 'recommended', false],
      ['mine', 'user', false],
    ]);
    expect(m.entries[0]!.value.recipe).toEqual({ pipx: 'aider-chat==0.50.0' });
    expect(m.problems).toEqual([
      expect.objectContaining({ file: userFrameworksManifest(data), line: 8, column: 11 }),
    ]);
  });

  it('loads models the same way (user shadows by slug)', async () => {
    await writeFile(
      join(shipped, 'models-recommended.yaml'),
      'models:\n  - slug: llama3.1:8b\n    source: ollama\n',
    );
    await mkdir(join(data, 'models', 'user'), { recursive: true });
    await writeFile(
      userModelsManifest(data),
      'models:\n  - slug: llama3.1:8b\n    source: ollama\n    notes: mine\n',
    );
    const m = await loadModelsManifest(data, shipped);
    expect(m.entries).toEqual([expect.objectContaining({ source: 'user', shadowsRecommended: true })]);
    expect(m.entries[0]!.value.notes).toBe('mine');
  });
});

describe('the manifests shipped with the app', () => {
  it('are found from the source tree and load without a problem', async () => {
    const dir = await shippedManifestDir();
    expect(dir).toBe(resolve('manifests'));
    const empty = await mkdtemp(join(tmpdir(), 'kintsugi-nodata-'));
    try {
      const f = await loadFrameworkManifests(empty);
      expect(f.problems).toEqual([]);
      expect(f.entries.map((e) => e.value.name)).toEqual(expect.arrayContaining(['aider', 'claude-code']));
      const m = await loadModelsManifest(empty);
      expect(m.problems).toEqual([]);
      expect(m.entries.length).toBeGreaterThan(0);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
