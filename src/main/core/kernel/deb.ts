import { appendFile, copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import { runTool } from '../util/run-tool';
import { logTail, runAsBuilder, type MakepkgRun } from './makepkg';

// package.kind: deb. The template renders build.sh (templates/kernel/deb/build.sh.in: the real kernel through
// `make bindeb-pkg`), a bash script run in the build folder as the build user with the same fixed environment as
// makepkg (SOURCE_DATE_EPOCH among it); it leaves its .deb files in pkgs/. Checked with `bash -n` before it runs
// (Debian has no --printsrcinfo). Its output goes to the job log and to build.log, kept on failure. Published
// with dpkg-scanpackages into a flat repository (Packages, Packages.gz: `deb [trusted=yes] file:DIR ./`).

export const DEB_SCRIPT = 'build.sh';
export const DEB_LOG = 'build.log';

type Run = Omit<MakepkgRun, 'args'>;

export async function checkDebScript(r: Run): Promise<void> {
  const res = await runAsBuilder('bash', ['-n', DEB_SCRIPT], r);
  if (res.exitCode !== 0)
    throw new KintsugiError(
      'KERNEL_TEMPLATE_INVALID',
      `bash -n ${DEB_SCRIPT} failed: ${res.stderr.trim().split('\n').slice(-5).join(' | ')}`,
    );
}

export async function runDebBuild(r: Run): Promise<void> {
  const log = join(r.buildDir, DEB_LOG);
  await writeFile(log, '');
  let pending = Promise.resolve();
  const res = await runAsBuilder('bash', [DEB_SCRIPT], {
    ...r,
    onLine: (l) => {
      r.onLine?.(l);
      pending = pending.then(() => appendFile(log, `${l}\n`));
    },
  });
  await pending;
  if (res.exitCode !== 0)
    throw new KintsugiError(
      'KERNEL_BUILD_FAILED',
      `${DEB_SCRIPT} exited ${res.exitCode}; log kept at ${log}\n${await logTail(log)}`,
    );
}

export async function publishDeb(
  repoDir: string,
  files: { file: string; signature?: string }[],
  signal?: AbortSignal,
): Promise<string> {
  await mkdir(repoDir, { recursive: true });
  for (const f of files) {
    await copyFile(f.file, join(repoDir, basename(f.file)));
    if (f.signature) await copyFile(f.signature, join(repoDir, `${basename(f.file)}.sig`));
  }
  const packages = join(repoDir, 'Packages');
  try {
    const r = await runTool('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], {
      cwd: repoDir,
      cancelSignal: signal,
      env: { LC_ALL: 'C', TZ: 'UTC' },
    });
    await writeFile(packages, `${r.stdout}\n`);
    await runTool('gzip', ['-9', '-n', '-k', '-f', packages], { cancelSignal: signal });
  } catch (err) {
    if (err instanceof KintsugiError) throw err;
    const stderr = String((err as { stderr?: unknown }).stderr ?? (err as Error).message);
    throw new KintsugiError('KERNEL_PUBLISH_FAILED', `dpkg-scanpackages ${repoDir}: ${stderr.trim()}`, {
      cause: err,
    });
  }
  return packages;
}

/** The .deb files the script left in pkgs/, by name. */
export async function debFiles(buildDir: string): Promise<string[]> {
  return (await readdir(join(buildDir, 'pkgs'))).filter((n) => n.endsWith('.deb')).sort();
}
