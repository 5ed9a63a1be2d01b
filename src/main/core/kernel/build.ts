import { chown, copyFile, lchown, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { KintsugiError } from '../../../shared/errors';
import type { BuildParams, BuildResult, BuiltPackage, PromoteResult } from '../../../shared/kernel/contract';
import type { HostManifest } from '../../../shared/kernel/model';
import type { JobContext } from '../jobs/context';
import { runPipeline, type PipelineStep } from '../jobs/pipeline';
import { git } from '../repo/git';
import { runTool } from '../util/run-tool';
import { loadJsonFile, saveJsonFile } from '../util/json-file';
import { shippedDir } from '../manifests/shipped-dir';
import { resolveBaseline } from './baseline';
import { blake2b512Hex, sha256Hex } from './digest';
import { loadHostManifest } from './fleet-manifest';
import { isRoot, logTail, makepkgConf, makepkgLogs, printSrcinfo, runMakepkg } from './makepkg';
import { placeholders, renderTemplate } from './pkgbuild';
import { buildCumulativePatch, hostOutDir, promote } from './promote';
import { publishPacman } from './publish';
import { acquirePullLock } from '../models/pull-lock';
import { checkDebScript, debFiles, DEB_SCRIPT, publishDeb, runDebBuild } from './deb';
import { signFile } from './sign';

// build: promote -> render the PKGBUILD -> makepkg -> sign -> publish, as a pipeline with its checkpoints in
// out/<host>/build-state.json. The state carries a key over every input (manifest, cumulative patch, template,
// baseline commit, build user): a rerun with the same inputs resumes at the first unfinished step, a rerun with
// other inputs starts over. A step that was interrupted is redone from a clean folder, never continued: makepkg
// runs again from an emptied build folder, publish copies again and repo-add replaces the entries.

const stateSchema = z.object({
  key: z.string(),
  promote: z.custom<PromoteResult>((v) => typeof v === 'object' && v !== null).optional(),
  rendered: z.boolean().optional(),
  packages: z
    .array(z.object({ file: z.string(), sha256: z.string(), signature: z.string().optional() }))
    .optional(),
  signed: z.boolean().optional(),
  published: z.object({ repoDir: z.string(), repoDb: z.string() }).optional(),
});
type BuildState = z.output<typeof stateSchema>;

export const buildDirOf = (workspace: string, host: string) => join(hostOutDir(workspace, host), 'build');

async function templateOf(workspace: string, m: HostManifest): Promise<{ path: string; text: string }> {
  const [folder, file] =
    m.package.kind === 'deb' ? ['templates/kernel/deb', 'build.sh.in'] : ['templates/kernel', 'PKGBUILD.in'];
  const path = m.package.template
    ? join(workspace, m.package.template)
    : join(await shippedDir(folder, file), file);
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new KintsugiError('KERNEL_TEMPLATE_INVALID', `${path}: ${err.code ?? err.message}`);
  });
  return { path, text };
}

export async function buildKernel(p: BuildParams, ctx: JobContext): Promise<BuildResult> {
  const m = await loadHostManifest(p.workspace, p.host);
  const deb = m.package.kind === 'deb';
  const outDir = hostOutDir(p.workspace, m.host);
  const buildDir = buildDirOf(p.workspace, m.host);
  const repoDir = p.outDir ?? join(outDir, 'repo');
  const asUser = isRoot() ? (p.buildUser ?? 'nobody') : undefined;
  const statePath = join(outDir, 'build-state.json');

  // One build per host at a time, across processes (the app and a terminal): they would share out/<host>/build.
  await mkdir(outDir, { recursive: true });
  const lock = await acquirePullLock(
    join(outDir, 'build.lock'),
    `${m.host}'s kernel`,
    'KERNEL_BUILD_BUSY',
    'being built',
  );
  try {
    return await buildLocked(p, m, ctx, { buildDir, repoDir, asUser, statePath, deb });
  } finally {
    await lock.release();
  }
}

async function buildLocked(
  p: BuildParams,
  m: HostManifest,
  ctx: JobContext,
  d: { buildDir: string; repoDir: string; asUser?: string; statePath: string; deb: boolean },
): Promise<BuildResult> {
  const { buildDir, repoDir, asUser, statePath, deb } = d;
  const template = await templateOf(p.workspace, m);
  const baseline = await resolveBaseline(p.workspace, m, ctx.signal);
  const cumulative = await buildCumulativePatch(p.workspace, m);
  const key = blake2b512Hex(
    JSON.stringify([
      m,
      blake2b512Hex(cumulative.bytes),
      template.text,
      baseline.commit,
      asUser ?? '',
      repoDir,
    ]),
  );
  const loaded = await loadJsonFile(statePath, stateSchema, () => ({ key }));
  let state: BuildState = loaded.value.key === key ? await recheck(loaded.value, ctx) : { key };
  if (loaded.value.key !== key && loaded.value.rendered)
    ctx.log('the inputs changed since the last build: starting over');
  const save = async (s: BuildState) => {
    await saveJsonFile(statePath, s);
    return s;
  };
  const sde = baseline.committerTime;
  const patchName = `${m.package.pkgbase}-${m.package.pkgver}.patch`;
  const tarName = `linux-${m.package._srctag.replace(/\//g, '_')}.tar`;

  /** The built packages (pkgs/, by name) with their sha256; none is a failed build. */
  const collect = async (names: string[]) => {
    if (!names.length)
      throw new KintsugiError('KERNEL_BUILD_FAILED', `no package was made in ${buildDir}/pkgs`);
    const packages: BuiltPackage[] = [];
    for (const n of names) {
      const file = join(buildDir, 'pkgs', n);
      packages.push({ file, sha256: sha256Hex(await readFile(file)) });
      ctx.log(`built ${n}`);
    }
    return { packages, signed: undefined, published: undefined };
  };

  const steps: PipelineStep<BuildState>[] = [
    {
      id: 'promote',
      title: () => `Promote ${m.host}`,
      done: (s) => s.promote !== undefined,
      run: async (s) => save({ ...s, promote: await promote({ workspace: p.workspace, host: m.host }, ctx) }),
    },
    {
      id: 'render',
      title: () => `Render ${basename(template.path)}`,
      done: (s) => s.rendered === true,
      run: async (s) => {
        ctx.progress({ kind: 'kernel', phase: 'build', message: 'render' });
        await rm(buildDir, { recursive: true, force: true });
        await mkdir(join(buildDir, 'home'), { recursive: true });
        await mkdir(join(buildDir, 'pkgs'), { recursive: true });
        // The baseline tree as a tar (git archive of the commit: mtimes are the commit's time), so makepkg
        // needs neither the baseline repository nor the network.
        const tar = join(buildDir, tarName);
        await git(
          baseline.repoDir,
          ['archive', '--format=tar', '--prefix=linux/', `--output=${tar}`, baseline.commit],
          {
            signal: ctx.signal,
          },
        );
        await copyFile(s.promote!.patch, join(buildDir, patchName));
        const sources = [
          { name: tarName, b2sum: blake2b512Hex(await readFile(tar)) },
          { name: patchName, b2sum: blake2b512Hex(await readFile(join(buildDir, patchName))) },
        ];
        const values = placeholders(m, { baselineCommit: baseline.commit, patch: patchName, sources });
        const rendered = renderTemplate(template.text, values, template.path);
        const run = { buildDir, sourceDateEpoch: sde, asUser, signal: ctx.signal };
        // makepkg.conf serves both kinds: it is where the fixed environment's makepkg settings live.
        await writeFile(join(buildDir, 'makepkg.conf'), makepkgConf(m.arch));
        if (deb) {
          await writeFile(join(buildDir, DEB_SCRIPT), rendered);
          if (asUser) await chownTree(buildDir, asUser);
          await checkDebScript(run);
          ctx.log(`rendered ${join(buildDir, DEB_SCRIPT)} (bash -n: ok)`);
        } else {
          await writeFile(join(buildDir, 'PKGBUILD'), rendered);
          if (asUser) await chownTree(buildDir, asUser);
          await writeFile(join(buildDir, '.SRCINFO'), await printSrcinfo(run));
          ctx.log(`rendered ${join(buildDir, 'PKGBUILD')} (makepkg --printsrcinfo: ok)`);
        }
        return save({ ...s, rendered: true });
      },
    },
    {
      id: deb ? 'dpkg-deb' : 'makepkg',
      title: () => (deb ? DEB_SCRIPT : 'makepkg'),
      done: (s) => s.packages !== undefined,
      run: async (s) => {
        ctx.progress({ kind: 'kernel', phase: 'build', message: `SOURCE_DATE_EPOCH=${sde}` });
        // An interrupted build is redone from scratch, never continued.
        for (const d of ['src', 'pkg', 'pkgs', 'stage'])
          await rm(join(buildDir, d), { recursive: true, force: true });
        for (const l of await makepkgLogs(buildDir)) await rm(l, { force: true });
        await mkdir(join(buildDir, 'pkgs'));
        if (asUser) await chownTree(buildDir, asUser);
        if (deb) {
          const run = { buildDir, sourceDateEpoch: sde, asUser, signal: ctx.signal };
          await runDebBuild({ ...run, onLine: (l) => ctx.log(l, 'detail') });
          return save({ ...s, ...(await collect(await debFiles(buildDir))) });
        }
        const res = await runMakepkg({
          buildDir,
          args: ['--nodeps', '--noconfirm', '--log', '--force', '--skippgpcheck'],
          sourceDateEpoch: sde,
          asUser,
          signal: ctx.signal,
          onLine: (l) => ctx.log(l, 'detail'),
        });
        if (res.exitCode !== 0) {
          // makepkg says which function failed ("A failure occurred in build()."): its log is the one to show.
          const failed = /A failure occurred in (\w+)\(\)/.exec(`${res.stdout}\n${res.stderr}`)?.[1];
          const logs = await makepkgLogs(buildDir);
          const log = (failed && logs.find((l) => l.endsWith(`-${failed}.log`))) || logs.at(-1);
          const output = `${res.stdout}\n${res.stderr}`.trim().split('\n').slice(-20).join('\n');
          const tail = (log && (await logTail(log))) || output;
          throw new KintsugiError(
            'KERNEL_BUILD_FAILED',
            `makepkg exited ${res.exitCode}${failed ? ` in ${failed}()` : ''}; log kept at ${log ?? buildDir}\n${tail}`,
          );
        }
        const names = (await readdir(join(buildDir, 'pkgs'))).filter((n) => n.includes('.pkg.tar')).sort();
        return save({ ...s, ...(await collect(names)) });
      },
    },
    {
      id: 'sign',
      title: () => `Sign with ${m.package.sign_key ?? '(no key)'}`,
      done: (s) => !m.package.sign_key || s.signed === true,
      run: async (s) => {
        ctx.progress({ kind: 'kernel', phase: 'publish', message: 'sign' });
        const packages: BuiltPackage[] = [];
        for (const pk of s.packages!)
          packages.push({ ...pk, signature: await signFile(pk.file, m.package.sign_key!, ctx.signal) });
        return save({ ...s, packages, signed: true });
      },
    },
    {
      id: 'publish',
      title: () => `Publish into ${repoDir}`,
      done: (s) => s.published !== undefined,
      run: async (s) => {
        ctx.progress({ kind: 'kernel', phase: 'publish', message: repoDir });
        const repoDb = deb
          ? await publishDeb(repoDir, s.packages!, ctx.signal)
          : await publishPacman(repoDir, m.package.repo_name ?? 'kintsugi-kernel', s.packages!, ctx.signal);
        ctx.log(`published ${s.packages!.length} package(s) into ${repoDb}`);
        return save({ ...s, published: { repoDir, repoDb } });
      },
    },
  ];
  if (!isAbsolute(repoDir)) throw new KintsugiError('INVALID_ARGUMENT', `--out ${repoDir} must be absolute`);
  const run = await runPipeline(steps, state, {
    signal: ctx.signal,
    onStep: (step, s, skipped) => ctx.log(`${skipped ? 'already done' : 'step'}: ${step.title(s)}`),
  });
  state = run.state;
  return {
    host: m.host,
    kind: m.package.kind,
    promote: state.promote!,
    packages: state.packages!,
    repoDir,
    repoDb: state.published!.repoDb,
    sourceDateEpoch: sde,
    ran: run.ran,
    skipped: run.skipped,
  };
}

/**
 * A checkpoint is trusted only while its files are still what it recorded: a promoted patch that is gone or
 * changed is promoted again, a package that is gone or changed is built again (and signed and published again).
 */
async function recheck(s: BuildState, ctx: JobContext): Promise<BuildState> {
  const hash = (f: string, fn: (b: Buffer) => string) => readFile(f).then(fn, () => undefined);
  let out = s;
  if (s.promote && (await hash(s.promote.patch, blake2b512Hex)) !== s.promote.b2sum) {
    ctx.log(`${s.promote.patch} is not the promoted patch any more: promoting again`);
    out = { ...out, promote: undefined };
  }
  for (const p of s.packages ?? [])
    if ((await hash(p.file, sha256Hex)) !== p.sha256) {
      ctx.log(`${p.file} is not the built package any more: building again`);
      return { ...out, packages: undefined, signed: undefined, published: undefined };
    }
  return out;
}

/** Hands the build folder to the build user, and checks that user can reach it (o+x on every parent). */
async function chownTree(dir: string, user: string): Promise<void> {
  const id = await runTool('id', ['-u', user]).catch(() => {
    throw new KintsugiError('KERNEL_BUILD_USER', `no user ${user} on this machine`);
  });
  const gid = await runTool('id', ['-g', user]);
  const uid = Number(id.stdout.trim());
  const walk = async (d: string): Promise<void> => {
    await chown(d, uid, Number(gid.stdout.trim()));
    for (const e of await readdir(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else await lchown(path, uid, Number(gid.stdout.trim())); // a link is not followed out of the folder
    }
  };
  await walk(dir);
  const reach = await runTool('runuser', ['-u', user, '--', 'test', '-w', dir]).then(
    () => true,
    () => false,
  );
  if (!reach)
    throw new KintsugiError(
      'KERNEL_BUILD_USER',
      `${user} cannot write ${dir}: a parent folder is closed to it`,
    );
}
