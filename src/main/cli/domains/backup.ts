import { resolve } from 'node:path';
import { backupUsable } from '../../../shared/backup/usable';
import { KintsugiError } from '../../../shared/errors';
import type { BackupSummary } from '../../../shared/model';
import type { BackupCheckResult } from '../../core/backup/check';
import type { LockInfo } from '../../core/backup/lock';
import { subcommand, type CliDomain, type SubcommandArgv } from '../domain-command';
import { formatBytes } from '../format';

// `kintsugi backup list DIR` and `kintsugi backup check DIR`. `kintsugi backup SOURCE DEST` itself stays a core
// command (args.ts): this domain claims only argv whose first word is one of its subcommands (onlySubcommands).

const dirArg = (a: SubcommandArgv) => ({ dir: resolve(a.cwd, a.args[0]!) });

export interface BackupListing {
  dir: string;
  /** A run writing into the folder now (its lock), if any. */
  writing?: LockInfo;
  backups: (BackupSummary & { usable: boolean })[];
  /** Folders named like backups with no readable manifest: unverified, never used without a typed skip. */
  unverified: { path: string; reason: string }[];
}

function listText(l: BackupListing): string {
  let out = `Backups in ${l.dir}:\n`;
  if (l.writing) out += `  (being written now by pid ${l.writing.pid}: ${l.writing.id})\n`;
  if (l.backups.length === 0 && l.unverified.length === 0) out += '  none\n';
  for (const { manifest: m, lastCheck, usable } of l.backups) {
    const v = m.verify;
    out += `  ${m.id}  ${usable ? 'verified' : lastCheck?.ok === false ? 'DAMAGED' : 'UNVERIFIED'}\n`;
    out += `    ${m.createdAt}: ${m.files} entries, ${formatBytes(m.bytes)}`;
    out += v ? `; ${formatBytes(v.newBytes)} new, ${formatBytes(v.linkedBytes)} linked` : '';
    out += m.linkDest ? ` (against ${m.linkDest})\n` : '\n';
    out += v
      ? `    ${v.mode} verify: ${v.hashedFiles} file(s) read, ${v.inheritedFiles} inherited\n`
      : '    verified by an older version (no per-file checksums)\n';
    out += lastCheck
      ? `    last check ${lastCheck.at}: ${lastCheck.ok ? `ok (${lastCheck.files} files)` : `${lastCheck.problemCount} problem(s), first: ${lastCheck.problems[0]}`}\n`
      : '    never checked\n';
  }
  for (const u of l.unverified) out += `  ${u.path}  UNVERIFIED: ${u.reason}\n`;
  return out;
}

const list = subcommand<{ dir: string }>({
  name: 'list',
  synopsis: 'list DIR',
  summary: 'the backups in a folder: time, size, new vs linked, how verified, last check',
  arity: { min: 1, max: 1, names: 'a backup folder DIR' },
  parse: dirArg,
  async run({ dir }) {
    const [{ listBackups, unreadableBackups }, { liveLock }] = await Promise.all([
      import('../../core/backup/list'),
      import('../../core/backup/lock'),
    ]);
    const backups = (await listBackups(dir)).map((b) => ({
      ...b,
      usable: backupUsable(b.manifest, b.lastCheck),
    }));
    const writing = await liveLock(dir);
    const listing: BackupListing = {
      dir,
      backups,
      unverified: await unreadableBackups(dir),
      ...(writing ? { writing } : {}),
    };
    return { result: listing, human: listText(listing) };
  },
});

function checkText(r: BackupCheckResult): string {
  return (
    checkOutcome(r) +
    (r.recorded
      ? ''
      : '  (not recorded beside the manifest: the folder is not writable by you; use sudo to record it)\n')
  );
}

function checkOutcome(r: BackupCheckResult): string {
  if (r.ok) return `${r.id}: ok, ${r.files} files (${formatBytes(r.bytes)}) match the manifest\n`;
  return `${r.id}: DAMAGED, ${r.problemCount} problem(s):\n${r.problems.map((p) => `  ${p}\n`).join('')}${r.problemCount > r.problems.length ? `  ... and ${r.problemCount - r.problems.length} more\n` : ''}`;
}

const check = subcommand<{ dir: string }>({
  name: 'check',
  synopsis: 'check BACKUP_DIR',
  summary: 'read a backup and compare every file with its manifest (exit 1 when damaged)',
  arity: { min: 1, max: 1, names: 'one backup folder BACKUP_DIR' },
  parse: dirArg,
  // As the app's backup-check job (journaled, in the device host: it reads a whole drive's worth), so the
  // terminal shows the verify phase's bytes, speed and ETA like any long job.
  async run({ dir }, c) {
    const r = (await c.run({ type: 'backup-check', params: { backupDir: dir } })) as BackupCheckResult;
    if (!r.ok && r.problemCount === 0)
      throw new KintsugiError('BACKUP_VERIFY_FAILED', `${dir} failed its check`);
    return { result: r, human: checkText(r), exitCode: r.ok ? 0 : 1 };
  },
});

export const backupDomain: CliDomain = {
  name: 'backup',
  summary: 'Backups (making one: `backup SOURCE DEST_DIR`, see above)',
  onlySubcommands: true,
  subcommands: [list, check],
};
