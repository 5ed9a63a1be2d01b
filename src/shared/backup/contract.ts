import { z } from 'zod';
import { domain, job, method, produced } from '../ipc/define';
import type { BackupManifest, BackupSummary } from '../model';
import { absolutePath } from '../paths';

export const backupParams = z.strictObject({
  /** A directory (root callers only), or a drive / image file that holds a persistence store. */
  source: absolutePath,
  destRoot: absolutePath,
  includeLoop: z.boolean().default(false),
});
export type BackupParams = z.output<typeof backupParams>;

export const restoreParams = z.strictObject({
  backupDir: absolutePath,
  /** A directory (root callers only), or a drive / image file that holds a persistence store. */
  target: absolutePath,
  includeLoop: z.boolean().default(false),
});
export type RestoreParams = z.output<typeof restoreParams>;

export interface RestoreResult {
  backupDir: string;
  target: string;
  files: number;
  bytes: number;
  verified: boolean;
  durationMs: number;
}

export type BackupResult = BackupManifest & { path: string };

export const backupContract = domain({
  methods: {
    list: method(z.tuple([z.strictObject({ dir: absolutePath })]), produced<BackupSummary[]>()),
  },
  jobs: {
    backup: job({
      title: 'Back up a persistence store',
      host: 'helper',
      params: backupParams,
      result: produced<BackupResult>(),
    }),
    restore: job({
      title: 'Restore a backup',
      host: 'helper',
      params: restoreParams,
      result: produced<RestoreResult>(),
    }),
  },
});
