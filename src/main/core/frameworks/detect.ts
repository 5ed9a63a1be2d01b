import { execa } from 'execa';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { InstalledState } from '../../../shared/frameworks/contract';
import type { ToolEnv } from './tools';

// "Installed" is what the person can use now, asked of the system each time, never a record of ours: the binary
// found on PATH (or in the bin folder the recipe installs into) answering `--version` within a timeout, or VS Code
// listing the extension. So a failed or half-done install cannot be shown as installed, and a framework removed
// by hand shows as gone.

const DEFAULT_TIMEOUT_MS = 10_000;

/** The first executable regular file named BINARY in PATH, then in EXTRA (a recipe's bin dir, maybe not on PATH). */
export async function findBinary(
  binary: string,
  env: ToolEnv,
  extra: readonly string[] = [],
): Promise<string | null> {
  const dirs = [...(env['PATH'] ?? '').split(delimiter), ...extra].filter((d) => d.startsWith('/'));
  for (const dir of dirs) {
    const path = join(dir, binary);
    const st = await stat(path).catch(() => null);
    if (!st?.isFile()) continue;
    if (
      await access(path, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  return null;
}

export async function binaryState(
  binary: string,
  env: ToolEnv,
  extra: readonly string[] = [],
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<InstalledState> {
  const path = await findBinary(binary, env, extra);
  if (!path)
    return {
      installed: false,
      reason: `${binary} not found on PATH${extra.length ? ` or in ${extra.join(', ')}` : ''}`,
    };
  const r = await execa(path, ['--version'], {
    env,
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: timeoutMs,
    all: true,
  });
  if (r.timedOut)
    return {
      installed: false,
      path,
      reason: `${path} did not answer --version within ${Math.round(timeoutMs / 1000)} s`,
    };
  if (r.failed)
    return {
      installed: false,
      path,
      reason: `${path} --version failed (${r.exitCode !== undefined ? `exit ${r.exitCode}` : (r.shortMessage ?? 'error')})`,
    };
  const version = String(r.all ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean);
  return { installed: true, path, ...(version ? { version: version.slice(0, 200) } : {}) };
}

/** `code --list-extensions --show-versions`: id -> version (ids compared lower-case, as VS Code does); null when
 * VS Code's `code` command is not there. */
export async function vscodeExtensions(
  env: ToolEnv,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<Map<string, string> | null> {
  const r = await execa('code', ['--list-extensions', '--show-versions'], {
    env,
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: timeoutMs,
  });
  if ((r as { code?: string }).code === 'ENOENT' || r.failed) return null;
  const map = new Map<string, string>();
  for (const line of String(r.stdout ?? '').split('\n')) {
    const [id, version] = line.trim().split('@');
    if (id) map.set(id.toLowerCase(), version ?? '');
  }
  return map;
}

export function extensionState(id: string, extensions: Map<string, string> | null): InstalledState {
  if (!extensions) return { installed: false, reason: 'VS Code (the `code` command) is not installed' };
  const version = extensions.get(id.toLowerCase());
  return version === undefined
    ? { installed: false, reason: `VS Code does not list ${id}` }
    : { installed: true, ...(version ? { version } : {}) };
}
