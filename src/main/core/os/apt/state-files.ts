import { createHash } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { loadJsonFile, saveJsonFile } from '../../util/json-file';

// The apt backend's own records under opts.stateDir, one folder per root (the tests' throwaway roots and / never
// share a record): the last check (so `status` can answer offline) and the versions an apply replaced (for
// rollback). Written atomically; a damaged file is moved aside, never trusted. The rollback record is durable
// (fsynced: after a power cut during an apply it is what tells what to put back); the last check is not: it is
// what the next check recomputes, so an fsync there would protect nothing and cost every check its latency.

export function rootStateDir(stateDir: string, root: string): string {
  return join(stateDir, 'apt', createHash('sha256').update(root).digest('hex').slice(0, 16));
}

const update = z.object({
  name: z.string(),
  from: z.string().optional(),
  to: z.string(),
  security: z.boolean(),
  kind: z.enum(['userspace', 'kernel', 'image']),
  downloadBytes: z.number().optional(),
  source: z.string().optional(),
});

const lastCheckSchema = z.object({
  root: z.string(),
  checkedAt: z.string(),
  updates: z.array(update),
  notOsUpdates: z.array(z.object({ name: z.string(), from: z.string().optional(), to: z.string() })),
});
export type LastCheck = z.output<typeof lastCheckSchema>;

const rollbackSchema = z.object({
  root: z.string(),
  createdAt: z.string(),
  /** The planned updates, each with the version it replaces (absent: newly installed). */
  packages: z.array(update),
});
export type RollbackRecord = z.output<typeof rollbackSchema>;

export const lastCheckFile = (dir: string) => join(dir, 'last-check.json');
export const rollbackFile = (dir: string) => join(dir, 'rollback.json');

export async function loadLastCheck(dir: string, root: string): Promise<LastCheck | undefined> {
  const { value } = await loadJsonFile(lastCheckFile(dir), lastCheckSchema.nullable(), () => null);
  return value && value.root === root ? value : undefined;
}

export const saveLastCheck = (dir: string, v: LastCheck) =>
  saveJsonFile(lastCheckFile(dir), v, { durable: false });

export async function loadRollbackRecord(dir: string, root: string): Promise<RollbackRecord | undefined> {
  const { value } = await loadJsonFile(rollbackFile(dir), rollbackSchema.nullable(), () => null);
  return value && value.root === root ? value : undefined;
}

export const saveRollbackRecord = (dir: string, v: RollbackRecord) => saveJsonFile(rollbackFile(dir), v);

/** A used record is kept beside (for the log and a bug report), so the same rollback cannot run twice. */
export async function retireRollbackRecord(dir: string): Promise<void> {
  await rename(
    rollbackFile(dir),
    `${rollbackFile(dir)}.done-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  );
}
