import { execa } from 'execa';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { gitEnv } from '../../src/main/core/repo/git';

// A kernel workspace made with the real git, for the kernel tests (promote, build, and install/rollback later):
//
//   <root>/baseline     a "kernel" repository: a tiny tree tagged BASELINE_REF, and a branch `work` with one
//                       commit per series patch on top (what the patches are exported from)
//   <root>/workspace    the workspace repository: fleet/<host>.yaml and patches/<scope>/<series>/NNNN-*.patch,
//                       exported from `work` with `git format-patch`, committed
//
// The series depend on each other ACROSS series: driver/bes2600 0001 edits a line soc/sm8250-fixes 0001 added,
// bes2600 0002 builds on 0001, driver/bes2600-quirks 0001 on bes2600 0002; board/fresnel-dts is independent. So
// the order rules matter: in any other order the patch does not apply. bes2600 0002 removes a line that reads
// "- " (its hunk line is "-- ", git's signature marker) and the soc patch has a non-ASCII author.
//
// <root> is 0755 so an unprivileged build user (makepkg as `nobody`) can reach out/<host>/build in it.

export const BASELINE_REF = 'v6.9';
export const HOST = 'fresnel';

export interface SeriesCommit {
  /** `<scope>/<series>` */
  series: string;
  subject: string;
  author: string;
  /** Path -> the file's new text (whole file). */
  files: Record<string, string>;
}

const CLK_BASE = '/* sm8250 clocks */\nint clk_init(void)\n{\n\treturn 0;\n}\n';
const CLK_SOC = '/* sm8250 clocks */\nint clk_init(void)\n{\n\tclk_enable_fix();\n\treturn 0;\n}\n';
const CLK_DRV =
  '/* sm8250 clocks */\nint clk_init(void)\n{\n\tclk_enable_fix(); /* bes2600 needs it first */\n\treturn 0;\n}\n';
const MAIN_BASE = '/* bes2600 */\nint bes_probe(void)\n{\n\treturn -19;\n}\n';
const MAIN_1 = '/* bes2600 */\nint bes_probe(void)\n{\n\tbes_power_on();\n\treturn -19;\n}\n';
const MAIN_2 = '/* bes2600 */\nint bes_probe(void)\n{\n\tbes_power_on();\n\treturn 0;\n}\n';
const MAIN_3 = '/* bes2600 */\nint bes_probe(void)\n{\n\tbes_power_on();\n\tbes_quirks();\n\treturn 0;\n}\n';
const NOTES_BASE = 'bes2600 notes\n- \nend\n';
const NOTES_2 = 'bes2600 notes\nend\n';
const DTS_BASE = '/dts-v1/;\n/ { model = "generic"; };\n';
const DTS_1 = '/dts-v1/;\n/ { model = "fresnel"; };\n';

/** The baseline tree at BASELINE_REF. */
export const BASELINE_FILES: Record<string, string> = {
  Makefile: 'VERSION = 6\nPATCHLEVEL = 9\n',
  'soc/sm8250/clk.c': CLK_BASE,
  'drivers/net/wireless/bes2600/main.c': MAIN_BASE,
  'drivers/net/wireless/bes2600/NOTES': NOTES_BASE,
  'arch/arm64/boot/dts/fresnel.dts': DTS_BASE,
};

/** The series, in the order they apply. */
export const DEFAULT_SERIES: SeriesCommit[] = [
  {
    series: 'soc/sm8250-fixes',
    subject: 'clk: enable the fix',
    author: 'Jöran Ærø <joran@example.invalid>',
    files: { 'soc/sm8250/clk.c': CLK_SOC },
  },
  {
    series: 'driver/bes2600',
    subject: 'bes2600: power on first',
    author: 'A Dev <a@example.invalid>',
    files: { 'soc/sm8250/clk.c': CLK_DRV, 'drivers/net/wireless/bes2600/main.c': MAIN_1 },
  },
  {
    series: 'driver/bes2600',
    subject: 'bes2600: probe succeeds',
    author: 'A Dev <a@example.invalid>',
    files: { 'drivers/net/wireless/bes2600/main.c': MAIN_2, 'drivers/net/wireless/bes2600/NOTES': NOTES_2 },
  },
  {
    series: 'driver/bes2600-quirks',
    subject: 'bes2600: quirks',
    author: 'B Dev <b@example.invalid>',
    files: { 'drivers/net/wireless/bes2600/main.c': MAIN_3 },
  },
  {
    series: 'board/fresnel-dts',
    subject: 'dts: name the board',
    author: 'C Dev <c@example.invalid>',
    files: { 'arch/arm64/boot/dts/fresnel.dts': DTS_1 },
  },
];

export interface ManifestFields {
  host: string;
  arch: string;
  includes: string[];
  apply_order: string[];
  pkgbase: string;
  kind: 'pacman' | 'deb';
  template?: string;
  sign_key?: string;
  baselineRepo: string;
  ref: string;
}

export interface KernelWorkspace {
  root: string;
  baseline: string;
  workspace: string;
  /** The commits of `work`, one per DEFAULT_SERIES entry (or the series given). */
  commits: string[];
  /** fleet/<host>.yaml's YAML for FIELDS (defaults: the fresnel host, every series, the stand-in template). */
  manifestYaml(fields?: Partial<ManifestFields>): string;
  /** Writes fleet/<host>.yaml (YAML text as given, or from fields). */
  writeManifest(host: string, yamlOrFields?: string | Partial<ManifestFields>): Promise<string>;
  /** Exports the series again into patches/ with format-patch under another environment (config, TZ, args). */
  exportSeries(opts?: FormatPatchOptions): Promise<void>;
  /** Runs git in the workspace repo (commit what a test changed). */
  commitWorkspace(message: string): Promise<void>;
}

export interface FormatPatchOptions {
  /** `-c key=value` pairs given to format-patch. */
  config?: string[];
  env?: Record<string, string>;
  extraArgs?: string[];
  series?: SeriesCommit[];
  /** Commit the series again at this time (seconds since the epoch) and export those commits. */
  recommitAt?: number;
}

export async function g(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await execa('git', args, { cwd, env: { ...gitEnv(), ...env }, extendEnv: false });
  return r.stdout.trim();
}

/** A fixed clock for the baseline's commits: its committer time is the build's SOURCE_DATE_EPOCH. */
export const BASELINE_TIME = 1_715_000_000;
const at = (t: number) => ({ GIT_AUTHOR_DATE: `@${t} +0000`, GIT_COMMITTER_DATE: `@${t} +0000` });

async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

export const STAND_IN_TEMPLATE = resolve('test/fixtures/kernel/PKGBUILD.stand-in.in');
/** The deb kind's stand-in (copied to templates/build.stand-in.sh.in in the workspace). */
export const STAND_IN_DEB_TEMPLATE = resolve('test/fixtures/kernel/build.stand-in.sh.in');

export async function makeKernelWorkspace(
  root: string,
  opts: { series?: SeriesCommit[] } = {},
): Promise<KernelWorkspace> {
  const series = opts.series ?? DEFAULT_SERIES;
  await chmod(root, 0o755);
  const baseline = join(root, 'baseline');
  const workspace = join(root, 'workspace');
  await mkdir(baseline, { recursive: true });
  await g(baseline, ['init', '--quiet', '--initial-branch=main']);
  await writeTree(baseline, BASELINE_FILES);
  await g(baseline, ['add', '-A']);
  await g(baseline, ['commit', '--quiet', '-m', 'Linux 6.9'], at(BASELINE_TIME));
  await g(baseline, ['tag', '-a', '-m', 'Linux 6.9', BASELINE_REF], at(BASELINE_TIME));
  /** The series as commits on BRANCH from BASELINE_REF, author and committer times from TIME on. */
  const makeCommits = async (branch: string, time: number, list: SeriesCommit[]) => {
    await g(baseline, ['switch', '--quiet', '-c', branch, BASELINE_REF]);
    const made: string[] = [];
    for (const [i, c] of list.entries()) {
      await writeTree(baseline, c.files);
      await g(baseline, ['add', '-A']);
      const m = /^(.*) <(.*)>$/.exec(c.author)!;
      await g(baseline, ['commit', '--quiet', '-m', c.subject, '-m', `Why: step ${i + 1} of the fixture.`], {
        ...at(time + 60 * (i + 1)),
        GIT_AUTHOR_NAME: m[1]!,
        GIT_AUTHOR_EMAIL: m[2]!,
      });
      made.push(await g(baseline, ['rev-parse', 'HEAD']));
    }
    await g(baseline, ['switch', '--quiet', 'main']);
    return made;
  };
  const commits = await makeCommits('work', BASELINE_TIME, series);

  await mkdir(join(workspace, 'fleet'), { recursive: true });
  await g(workspace, ['init', '--quiet', '--initial-branch=main']);
  await mkdir(join(workspace, 'templates'), { recursive: true });
  await copyFile(STAND_IN_TEMPLATE, join(workspace, 'templates', 'PKGBUILD.stand-in.in'));
  await copyFile(STAND_IN_DEB_TEMPLATE, join(workspace, 'templates', 'build.stand-in.sh.in'));

  const exportSeries = async (fp: FormatPatchOptions = {}) => {
    await rm(join(workspace, 'patches'), { recursive: true, force: true });
    const list = fp.series ?? series;
    // Committed again at another time: other shas and other Date: headers, the same changes.
    const shas =
      fp.recommitAt !== undefined ? await makeCommits(`work-${fp.recommitAt}`, fp.recommitAt, list) : commits;
    const numbers = new Map<string, number>();
    for (const [i, c] of list.entries()) {
      const n = (numbers.get(c.series) ?? 0) + 1;
      numbers.set(c.series, n);
      const dir = join(workspace, 'patches', c.series);
      await mkdir(dir, { recursive: true });
      const cfg = (fp.config ?? []).flatMap((kv) => ['-c', kv]);
      await g(
        baseline,
        [
          ...cfg,
          'format-patch',
          '--quiet',
          '-1',
          shas[i]!,
          `--start-number=${n}`,
          '-o',
          dir,
          ...(fp.extraArgs ?? []),
        ],
        fp.env ?? {},
      );
    }
  };
  await exportSeries();

  const manifestYaml = (f: Partial<ManifestFields> = {}) => {
    const v: ManifestFields = {
      host: HOST,
      arch: 'aarch64',
      includes: [...new Set(series.map((c) => c.series))],
      apply_order: ['soc', 'driver', 'board', 'module', 'subsystem', 'arch'],
      pkgbase: 'linux-fresnel',
      kind: 'pacman',
      template: 'templates/PKGBUILD.stand-in.in',
      baselineRepo: baseline,
      ref: BASELINE_REF,
      ...f,
    };
    return [
      `host: ${v.host}`,
      `arch: ${v.arch}`,
      `baseline: { repo: ${v.baselineRepo}, ref: ${v.ref} }`,
      `includes: [${v.includes.join(', ')}]`,
      `apply_order: [${v.apply_order.join(', ')}]`,
      'package:',
      `  kind: ${v.kind}`,
      `  pkgbase: ${v.pkgbase}`,
      '  pkgver: 6.9.0',
      '  pkgrel: 1',
      `  _srctag: ${v.ref}`,
      ...(v.template ? [`  template: ${v.template}`] : []),
      ...(v.sign_key ? [`  sign_key: ${v.sign_key}`] : []),
      'install: { bootloader: extlinux, initramfs: mkinitcpio }',
      '',
    ].join('\n');
  };
  const writeManifest = async (host: string, y: string | Partial<ManifestFields> = {}) => {
    const file = join(workspace, 'fleet', `${host}.yaml`);
    await writeFile(file, typeof y === 'string' ? y : manifestYaml({ host, ...y }));
    return file;
  };
  await writeManifest(HOST);
  const commitWorkspace = async (message: string) => {
    await g(workspace, ['add', '-A']);
    await g(workspace, ['commit', '--quiet', '--allow-empty', '-m', message]);
  };
  await commitWorkspace('fleet and patches');
  return { root, baseline, workspace, commits, manifestYaml, writeManifest, exportSeries, commitWorkspace };
}

/** The bytes of a file (tests compare them). */
export const bytesOf = (path: string) => readFile(path);
