import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A folder that looks like a Kintsugi backup (a manifest naming it, one file) but was written by hand: what a
 * hostile caller would point a root restore at. The manifest's bytes match the one file.
 */
export async function handWrittenBackup(parent: string, id: string, verified = true): Promise<string> {
  const path = join(parent, id);
  await mkdir(path, { recursive: true });
  const payload = 'whatever the caller wants written as root\n';
  await writeFile(join(path, 'payload'), payload);
  const manifest = {
    formatVersion: 1,
    id,
    source: '/dev/sdz',
    createdAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    files: 1,
    bytes: Buffer.byteLength(payload),
    verified,
    tools: {},
  };
  await writeFile(join(path, 'kintsugi-backup.json'), JSON.stringify(manifest));
  return path;
}
