import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OsRelease } from '../../../../shared/os/model';

// TEMPORARY: a minimal /etc/os-release reader for the ostree backends, until the apt backend's
// core/os/os-release.ts lands; then this file goes and its callers use that one. It reads the deployment's own
// os-release (etc/, then usr/lib/), so a sysroot that is not the running system answers for itself.

export async function readDeploymentOsRelease(deployDir: string): Promise<OsRelease> {
  for (const rel of ['etc/os-release', 'usr/lib/os-release']) {
    const text = await readFile(join(deployDir, rel), 'utf8').catch(() => null);
    if (text !== null) return parseOsRelease(text);
  }
  return { prettyName: 'unknown (no os-release in the deployment)' };
}

export function parseOsRelease(text: string): OsRelease {
  const v: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) v[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  const prettyName = v.PRETTY_NAME ?? ([v.NAME, v.VERSION].filter(Boolean).join(' ') || 'unknown');
  return {
    prettyName,
    ...(v.ID ? { id: v.ID } : {}),
    ...(v.VERSION_ID ? { versionId: v.VERSION_ID } : {}),
  };
}
