import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { KintsugiError } from '../../../shared/errors';
import { PATCH_SCOPES, type HostManifest } from '../../../shared/kernel/model';
import {
  checkHostName,
  gitRefToken,
  hostName,
  pkgName,
  pkgVer,
  seriesName,
} from '../../../shared/kernel/tokens';
import { formatProblem, type ManifestProblem } from '../../../shared/manifest-problem';
import { parseManifestObject } from '../manifests/parse-manifest';
import { readManifestText } from '../manifests/read-manifest';

// fleet/<host>.yaml: its schema and its loader, with every problem at file:line:column (the manifests loader's
// positions). Strict objects: a misspelt key is a problem, not a silently ignored one. Every value that later
// becomes a path step, a git argument or a PKGBUILD word is a whitelist token (src/shared/kernel/tokens.ts).

const scope = z.enum(PATCH_SCOPES, { message: `must be one of ${PATCH_SCOPES.join(', ')}` });

/** `<scope>/<series>`, a folder under patches/. */
const include = z
  .string()
  .max(200)
  .superRefine((s, ctx) => {
    const [sc, series, ...rest] = s.split('/');
    if (rest.length || series === undefined)
      return void ctx.addIssue({
        code: 'custom',
        message: 'must be <scope>/<series>, e.g. soc/sm8250-fixes',
      });
    if (!scope.safeParse(sc).success)
      ctx.addIssue({ code: 'custom', message: `scope "${sc}" must be one of ${PATCH_SCOPES.join(', ')}` });
    const name = seriesName.safeParse(series);
    if (!name.success) ctx.addIssue({ code: 'custom', message: `series: ${name.error.issues[0]?.message}` });
  });

/** A local repository (absolute, or relative to the workspace) or a git URL; never an option or a shell word. */
const baselineRepo = z
  .string()
  .min(1)
  .max(1000)
  .regex(
    /^[^\s\0'"`$;|&<>\\-][^\s\0'"`$;|&<>\\]*$/,
    'must be a repository path or URL (no spaces or quotes)',
  );

/** A path inside the workspace: relative, no "..". */
const workspaceFile = z
  .string()
  .max(500)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._/+-]*$/, 'must be a path relative to the workspace')
  .refine((s) => !s.split('/').includes('..'), 'must not contain ".."');

const keyId = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9@._<>+-]+$/, 'must be a key id, fingerprint or e-mail');

export const hostManifestSchema = z
  .strictObject({
    host: hostName,
    arch: z.string().regex(/^[a-z0-9_]+$/, 'must be a uname -m name such as aarch64 or x86_64'),
    baseline: z.strictObject({ repo: baselineRepo, ref: gitRefToken }),
    includes: z.array(include).max(200),
    apply_order: z.array(scope).min(1),
    package: z.strictObject({
      kind: z.enum(['pacman', 'deb']),
      pkgbase: pkgName,
      pkgver: pkgVer,
      pkgrel: z.number().int().positive(),
      _srctag: gitRefToken,
      template: workspaceFile.optional(),
      sign_key: keyId.optional(),
      repo_name: pkgName.optional(),
    }),
    install: z.strictObject({
      bootloader: z.enum(['extlinux', 'grub', 'systemd-boot']),
      initramfs: z.enum(['mkinitcpio', 'update-initramfs', 'dracut']),
    }),
  })
  .superRefine((m, ctx) => {
    const seenScope = new Set<string>();
    m.apply_order.forEach((s, i) => {
      if (seenScope.has(s))
        ctx.addIssue({ code: 'custom', path: ['apply_order', i], message: `"${s}" is listed twice` });
      seenScope.add(s);
    });
    const seen = new Set<string>();
    m.includes.forEach((inc, i) => {
      if (seen.has(inc))
        ctx.addIssue({ code: 'custom', path: ['includes', i], message: `"${inc}" is included twice` });
      seen.add(inc);
      const sc = inc.split('/')[0]!;
      if (!seenScope.has(sc))
        ctx.addIssue({
          code: 'custom',
          path: ['includes', i],
          message: `scope "${sc}" is not in apply_order, so its place in the patch is unknown`,
        });
    });
  });

export const fleetDir = (workspace: string) => join(workspace, 'fleet');
export const hostManifestPath = (workspace: string, host: string) =>
  join(fleetDir(workspace), `${host}.yaml`);

/** The workspace must be a folder with fleet/ in it. */
export async function checkWorkspace(workspace: string): Promise<void> {
  const st = await stat(fleetDir(workspace)).catch(() => null);
  if (!st?.isDirectory())
    throw new KintsugiError('KERNEL_WORKSPACE_INVALID', `${workspace} has no fleet/ folder`);
}

// Reads <workspace>/fleet/<host>.yaml, validates it, errors with file:line:column.
export async function loadHostManifest(workspace: string, host: string): Promise<HostManifest> {
  checkHostName(host);
  await checkWorkspace(workspace);
  const file = hostManifestPath(workspace, host);
  const read = await readManifestText(file);
  if (!read.found) throw new KintsugiError('KERNEL_HOST_NOT_FOUND', `${file} does not exist`);
  const problems: ManifestProblem[] = [];
  let value: HostManifest | undefined;
  if (read.problem) problems.push(read.problem);
  else {
    const parsed = parseManifestObject(read.text, file, hostManifestSchema);
    value = parsed.value;
    problems.push(...parsed.problems);
  }
  if (value && value.host !== host)
    problems.push({
      file,
      line: 1,
      column: 1,
      message: `host: "${value.host}" must match the file name "${host}"`,
    });
  if (!value || problems.length)
    throw new KintsugiError('KERNEL_MANIFEST_INVALID', problems.map(formatProblem).join('\n'));
  return value;
}

/** The hosts of the workspace: every fleet/<host>.yaml whose name is a valid host, sorted by byte order. */
export async function listHosts(workspace: string): Promise<string[]> {
  await checkWorkspace(workspace);
  const names = await readdir(fleetDir(workspace));
  return names
    .filter((n) => n.endsWith('.yaml') && hostName.safeParse(n.slice(0, -5)).success)
    .map((n) => n.slice(0, -5))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
