import { z } from 'zod';
import { domain, job, method, produced } from '../ipc/define';
import type { BackupCheckRecord, BackupManifest, BackupSummary } from '../model';
import { absolutePath } from '../paths';

export const backupParams = z.strictObject({
  /** A directory (root callers only), or a drive / image file that holds a persistence store. */
  source: absolutePath,
  destRoot: absolutePath,
  includeLoop: z.boolean().default(false),
  /** Read every file of the copy and the source, inheriting no checksum from the previous backup. */
  fullVerify: z.boolean().optional(),
});
export type BackupParams = z.output<typeof backupParams>;

export const restoreParams = z.strictObject({
  backupDir: absolutePath,
  /** A directory (root callers only), or a drive / image file that holds a persistence store. */
  target: absolutePath,
  includeLoop: z.boolean().default(false),
});
export type RestoreParams = z.output<typeof restoreParams>;

/** One backup checked against its own per-file checksums (`kintsugi backup check DIR`, or the restore list's Check). */
export const backupCheckParams = z.strictObject({ backupDir: absolutePath });
export type BackupCheckParams = z.output<typeof backupCheckParams>;

export interface BackupCheckResult extends BackupCheckRecord {
  path: string;
  id: string;
  bytes: number;
  /** Whether the outcome was kept beside the manifest (not when the folder is not writable by the caller). */
  recorded: boolean;
}

export interface RestoreResult {
  backupDir: string;
  target: string;
  files: number;
  bytes: number;
  verified: boolean;
  durationMs: number;
}

export type BackupResult = BackupManifest & { path: string };

/**
 * How much room a backup of a drive's persistence store needs, said before it starts (the backup measures again
 * when it starts and stops before copying anything if the destination is short). Unknown says why, in words.
 */
export type BackupNeed =
  | {
      known: true;
      /** A partition of its own, or a Ventoy persistence*.dat file in a data partition. */
      storeKind: 'partition' | 'file';
      /** Where the store is, for people: 'partition 2 "persistence"' or 'persistence.dat on partition 1'. */
      storeName: string;
      storeSize: number;
      /** What its files and folders take now, in its own blocks. */
      dataBytes: number;
      files: number;
      /** The destination's block size the need is counted in (4096 when no destination is chosen yet). */
      destBlock: number;
      destBlockAssumed: boolean;
      /** The room the backup's own check will ask for: the data in whole destination blocks, plus its margin. */
      neededBytes: number;
    }
  | { known: false; reason: string; hint?: string };

const estimateArgs = z.strictObject({
  /** The drive (or an uncompressed image file) whose persistence store would be backed up. */
  source: absolutePath,
  /** The backup destination, when chosen: the need is counted in its filesystem's blocks. */
  destRoot: absolutePath.optional(),
  includeLoop: z.boolean().default(false),
});

export const backupContract = domain({
  methods: {
    list: method(z.tuple([z.strictObject({ dir: absolutePath })]), produced<BackupSummary[]>()),
    /** Only reads (the store's superblock); never mounts the store itself. */
    estimateNeed: method(z.tuple([estimateArgs]), produced<BackupNeed>()),
    /** Starts a backup-check job (it reads the whole backup: never in main). */
    check: method(z.tuple([backupCheckParams]), produced<{ jobId: string }>()),
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
    // The helper: a backup the helper made is root's, its files perhaps unreadable to the user, and the outcome is
    // recorded beside its manifest.
    'backup-check': job({
      title: 'Check a backup',
      host: 'helper',
      params: backupCheckParams,
      result: produced<BackupCheckResult>(),
    }),
  },
});
