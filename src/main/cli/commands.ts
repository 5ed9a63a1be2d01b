import { stat } from 'node:fs/promises';
import { KintsugiError } from '../../shared/errors';
import type { DriveView, FlashResult, ImageReport } from '../../shared/model';
import type { JobRequest, JobResults, RestoreResult } from '../../shared/jobs';
import { restoreOutcome } from '../../shared/reflash/outcome';
import type { ReflashState } from '../../shared/reflash/state';
import { canonicalWholeDisk, isBlockDevice } from '../core/drives/identity';
import { listDrives } from '../core/drives/list-drives';
import { resolveTargetDrive } from '../core/drives/resolve-target';
import { driveViews } from '../core/drives/views';
import { runPipeline } from '../core/jobs/pipeline';
import { flashRequestFor, imageCheckRequest } from '../core/image/requests';
import { isFinished, reflashSteps } from '../core/reflash/pipeline';
import { describeVerify } from '../core/backup/verify-backup';
import { fullVerifyDue } from '../../shared/backup/full-verify';
import type { Command } from './args';
import { confirmDevice } from './confirm';
import type { DomainCommandContext } from './domain-command';
import { formatBytes, formatDuration } from './format';
import type { CliIo } from './io';
import { progressView } from './progress-view';
import type { CommandOutput } from './run-command';
import { attachView } from './run-with-progress';

// The core commands (drives, image verify, flash, verify, backup, restore, reflash), one function each, loaded by
// run-command.ts only when one of them runs. Each returns the JSON result and the human text; main() prints one or
// the other. The image checking code (image/check: its decoders and .bmap parser) is imported by the command that
// needs it: a backup or a restore does not wait for it.
// The CLI runs core as root on its own behalf: device commands need root, and say "run with sudo" otherwise (it
// does not start the pkexec helper — a terminal user has sudo, and cron/SSH/fleets run as root already). Jobs
// that do device I/O (those declared for the helper) run in a child device host, one per job, so a drive that
// stops answering can strand that child in the kernel but never the CLI: Ctrl-C still ends it within seconds.

type Ctx = DomainCommandContext;

/** The image-check request for commands that take --sha256 / --minisig / --pubkey. */
function checkRequest(
  cmd: {
    noBmap?: boolean;
    image: string;
    sha256?: string;
    minisig?: string;
    pubkey?: string;
    forceRaw?: boolean;
    allowUnsigned?: boolean;
  },
  fullCheck?: boolean,
): JobRequest {
  return imageCheckRequest({
    forceRaw: cmd.forceRaw,
    allowUnsigned: cmd.allowUnsigned,
    source: cmd.image,
    sha256File: cmd.sha256,
    minisigFile: cmd.minisig,
    pubkey: cmd.pubkey,
    fullCheck,
    noBmap: cmd.noBmap,
  });
}

function requireRoot(io: CliIo, what: string): void {
  if (io.getuid() !== 0) throw new KintsugiError('NEEDS_ROOT', `${what}: run \`sudo kintsugi ...\``);
}

/** A directory needs no root to copy; a drive or an image file must be mounted, which does. */
async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

const mbps = (bytes: number, ms: number) => (ms > 0 ? `${formatBytes((bytes * 1000) / ms)}/s` : '-');

/** The core commands: everything args.ts parses that is not a domain's, nor jobs, help or version. */
export type CoreCommand = Exclude<
  Command,
  { cmd: 'domain' | 'jobs-list' | 'jobs-show' | 'jobs-log' | 'help' | 'version' }
>;

export async function runCoreCommand(command: CoreCommand, c: Ctx): Promise<CommandOutput> {
  const { io, run } = c;
  switch (command.cmd) {
    case 'drives': {
      const views = await driveViews(await listDrives({ includeLoop: command.includeLoop }), {
        includeLoop: command.includeLoop,
      });
      return { result: views, human: drivesTable(views) };
    }
    case 'image-verify': {
      const report = (await run(checkRequest(command, command.full))) as ImageReport;
      return { result: report, human: imageText(report) };
    }
    case 'flash':
      return flash(c, command);
    case 'verify': {
      requireRoot(io, 'verify reads the whole drive');
      // As flash does: a .bmap beside the image says which ranges were written. Without it, the holes a bmap
      // flash skipped (old bytes on the drive) would read as a failing drive.
      const bmap = command.noBmap
        ? undefined
        : await (await import('../core/image/check')).findBmap(command.image);
      const r = (await run({
        type: 'verify-drive',
        params: {
          image: command.image,
          device: command.device,
          includeLoop: command.includeLoop,
          ...(bmap ? { bmap } : {}),
        },
      })) as FlashResult;
      return {
        result: r,
        human: `${r.device} matches ${command.image}\n  ${fingerprintLine(r, bmap ? ` (${bmap})` : '')}  ${formatBytes(r.bytesWritten)} compared in ${formatDuration(r.durationMs / 1000)}\n`,
      };
    }
    case 'backup': {
      if (!(await isDirectory(command.source)))
        requireRoot(io, `backing up ${command.source} mounts its persistence store`);
      // A drive however it was spelled (a symlink, /./dev/sdb) is backed up, and recorded, as /dev/<name>.
      const source = (await isBlockDevice(command.source))
        ? await canonicalWholeDisk(command.source)
        : command.source;
      const r = (await run({
        type: 'backup',
        params: {
          source,
          destRoot: command.dest,
          includeLoop: command.includeLoop,
          ...(command.fullVerify ? { fullVerify: true } : {}),
        },
      })) as JobResults['backup'];
      const every = (await (await c.services()).settings.load()).fullVerifyEvery;
      return {
        result: r,
        human: `Backup ${r.verified ? 'verified' : 'NOT verified'}: ${r.path}\n  ${r.files} files, ${formatBytes(r.bytes)}${r.linkDest ? `, incremental against ${r.linkDest}` : ''}\n${r.verify ? `  ${describeVerify(r.verify)}\n` : ''}${fullVerifyDue(r, every) ? `  ${r.verify!.sinceFull} incremental backups since the last full verify: make the next one with --full-verify\n` : ''}`,
      };
    }
    case 'restore': {
      if (!(await isDirectory(command.target)))
        requireRoot(io, `restoring into ${command.target} mounts its persistence store`);
      // A device is whatever stat says is one, however it is spelled: the safety rules and the question name the
      // real device (/dev/<name>), and that is what the restore writes.
      let target = command.target;
      if (await isBlockDevice(command.target)) {
        const drive = await resolveTargetDrive(command.target, { includeLoop: command.includeLoop });
        target = drive.device;
        await confirmDevice(io, {
          yes: command.yes,
          device: target,
          action: `restore ${command.backupDir} over its persistence store`,
          drive,
        });
      }
      const r = (await run({
        type: 'restore',
        params: { backupDir: command.backupDir, target, includeLoop: command.includeLoop },
      })) as RestoreResult;
      return {
        result: r,
        human: `Restored ${r.backupDir} into ${r.target} (${r.verified ? 'verified' : 'NOT verified'})\n  ${r.files} files, ${formatBytes(r.bytes)} in ${formatDuration(r.durationMs / 1000)}\n`,
      };
    }
    case 'reflash':
      return reflash(c, command);
  }
}

async function flash({ io, run }: Ctx, cmd: Extract<Command, { cmd: 'flash' }>): Promise<CommandOutput> {
  requireRoot(io, 'flash writes the whole drive');
  // Cheap safety first (a system drive or a partition is refused at once), then the image checks, then the
  // size check, and only then the question: the user is never asked about a flash that would be refused.
  await resolveTargetDrive(cmd.device, {
    includeLoop: cmd.includeLoop,
    ...(cmd.image.startsWith('/') ? { imagePath: cmd.image } : {}),
  });
  const report = (await run(checkRequest(cmd))) as ImageReport;
  const drive = await resolveTargetDrive(cmd.device, {
    includeLoop: cmd.includeLoop,
    imagePath: report.path,
    ...(report.imageSize !== undefined ? { imageSize: report.imageSize } : {}),
  });
  await confirmDevice(io, { yes: cmd.yes, device: drive.device, action: `write ${cmd.image}`, drive });
  const r = (await run(
    flashRequestFor(report, drive.device, { includeLoop: cmd.includeLoop, verify: cmd.verify }),
  )) as FlashResult;
  return { result: { image: report, flash: r }, human: flashText(report, r) };
}

/**
 * The written-and-read-back fingerprint, named for what it is: not a sha256 to compare with a published one. With a
 * .bmap it covers the mapped bytes only: say so, or it reads as a wrong image hash.
 */
function fingerprintLine(r: FlashResult, bmapNote: string): string {
  if (!r.fingerprint) return '';
  const over = r.usedBmap ? `the mapped bytes${bmapNote}` : 'the image';
  return `${r.fingerprint.algorithm} of ${over} as written and read back ${r.fingerprint.hex}\n`;
}

export function flashText(report: ImageReport, r: FlashResult): string {
  let human = `Wrote ${formatBytes(r.bytesWritten)} to ${r.device} in ${formatDuration(r.durationMs / 1000)} (${mbps(r.bytesWritten, r.durationMs)})${r.usedBmap ? ' using the .bmap' : ''}\n`;
  if (r.fingerprint) human += `  ${fingerprintLine(r, '')}`;
  if (report.checksum?.ok)
    human += `  the ${report.checksum.target === 'image' && report.compression !== 'none' ? 'decompressed image' : 'file'} matched the published sha256 (${report.checksum.fileName}) while writing\n`;
  human += `  ${r.verified ? `verified by reading it back in ${formatDuration((r.verifyDurationMs ?? 0) / 1000)}` : 'NOT verified (--no-verify)'}\n`;
  return human;
}

async function reflash(
  { io, g, services }: Ctx,
  cmd: Extract<Command, { cmd: 'reflash' }>,
): Promise<CommandOutput> {
  requireRoot(io, 'reflash backs up, writes and restores the whole drive');
  const drive = await resolveTargetDrive(cmd.device, {
    includeLoop: cmd.includeLoop,
    ...(cmd.image.startsWith('/') ? { imagePath: cmd.image } : {}),
  });
  const action = cmd.skipBackup
    ? `write ${cmd.image} WITHOUT a backup`
    : `back up, write ${cmd.image}, restore`;
  await confirmDevice(io, { yes: cmd.yes, device: drive.device, action, drive });

  // The same flow and gates as the GUI, with the settings this command was given.
  const s = await services({ includeLoop: cmd.includeLoop, pubkey: cmd.pubkey });
  let state = await s.flow.state();
  if (isFinished(state)) state = await s.flow.startOver({});
  const view = progressView(io, g);
  const stop = attachView(s.runner, io.signal, view);
  const t0 = performance.now();
  try {
    const steps = reflashSteps(s.flow, s.runner, {
      image: cmd.image,
      device: drive.device,
      skipBackup: cmd.skipBackup,
      forceRaw: cmd.forceRaw,
      allowUnsigned: cmd.allowUnsigned,
      ...(cmd.backupTo ? { backupTo: cmd.backupTo } : {}),
      ...(cmd.sha256 ? { sha256File: cmd.sha256 } : {}),
      ...(cmd.minisig ? { minisigFile: cmd.minisig } : {}),
      ...(cmd.noBmap ? { noBmap: true } : {}),
    });
    const out = await runPipeline(steps, state, {
      signal: io.signal,
      onStep: (step, st, skipped) =>
        view.heading(skipped ? `${step.id}: already done (${step.title(st)})` : step.title(st)),
    });
    state = out.state;
    return {
      result: { state, ran: out.ran, resumed: out.skipped, totalMs: Math.round(performance.now() - t0) },
      human: reflashText(state, out.skipped),
    };
  } catch (err) {
    // Say where the user's data is whatever failed after the backup was taken.
    const after = await s.flow.state().catch(() => undefined);
    if (after?.backup && err instanceof KintsugiError)
      throw new KintsugiError(
        err.code,
        `${err.detail ?? err.message}; your backup is safe at ${after.backup.path}`,
        {
          message: err.message,
          hint: `${err.hint} Run the same reflash again to resume: the backup is not taken again.`,
          cause: err,
        },
      );
    throw err;
  } finally {
    stop();
  }
}

function drivesTable(views: DriveView[]): string {
  if (!views.length) return 'No drives found (loop devices are listed with --include-loop).\n';
  const rows = views.map((d) => [
    d.device,
    formatBytes(d.size),
    d.description || '-',
    d.selectable
      ? d.issues.length
        ? `ok (${d.issues.map((i) => i.message).join(' ')})`
        : 'ok'
      : `no: ${d.issues
          .filter((i) => i.severity === 'block')
          .map((i) => i.message)
          .join(' ')}`,
  ]);
  const head = ['DEVICE', 'SIZE', 'DESCRIPTION', 'FLASHABLE'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(w[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

function imageText(r: ImageReport): string {
  const raw = r.compression === 'none';
  const size = raw
    ? `uncompressed, ${formatBytes(r.fileSize)}`
    : `${r.compression}, ${formatBytes(r.fileSize)}${r.imageSize ? `, ${formatBytes(r.imageSize)} decompressed` : ''}`;
  let s = `${r.path}\n  ${size}${r.version ? `, version ${r.version}` : ''}\n`;
  if (r.checksum) {
    const of = raw ? 'image' : r.checksum.target === 'image' ? 'decompressed image' : 'compressed file';
    s += `  checksum ${r.checksum.ok ? 'OK' : 'MISMATCH'} (${of} ${r.checksum.fileName}) ${r.checksum.expected}\n`;
  } else s += '  checksum: not checked (no --sha256)\n';
  if (r.signature)
    s += `  signature ${r.signature.ok ? 'OK' : 'INVALID'}${r.signature.trustedComment ? ` — ${r.signature.trustedComment}` : ''}\n`;
  else if (r.unsigned) s += '  signature: NONE although a key is set (--allow-unsigned)\n';
  if (r.integrity)
    s += `  integrity ${r.integrity.ok ? 'OK' : 'FAILED'}: ${r.integrity.tool} decoded ${formatBytes(r.integrity.bytes)}\n`;
  s += r.forcedRaw
    ? '  disk image: NOT recognised, accepted as raw bytes (--force-raw)\n'
    : r.diskSignature
      ? `  disk image: ${r.diskSignature}\n`
      : '';
  if (r.bmap)
    s += `  bmap ${r.bmap.path}: ${formatBytes(r.bmap.mappedBytes)} mapped of ${formatBytes(r.bmap.imageSize)}\n`;
  return s;
}

function reflashText(s: ReflashState, resumed: string[]): string {
  const d = (k: string) => (s.durations[k] !== undefined ? formatDuration(s.durations[k]! / 1000) : '-');
  const img = s.image;
  let out = `Reflashed ${s.device} with ${s.imageSource}${img?.version ? ` (version ${img.version})` : ''}\n`;
  if (resumed.length) out += `  resumed: ${resumed.join(', ')} already done by an earlier run\n`;
  if (img?.checksum) out += `  published sha256 (${img.checksum.target}) ${img.checksum.expected}\n`;
  if (s.flash)
    out += `  written ${formatBytes(s.flash.bytesWritten)}, verified${s.flash.fingerprint ? ` (${s.flash.fingerprint.algorithm} ${s.flash.fingerprint.hex})` : ''}\n`;
  const outcome = restoreOutcome(s);
  if (outcome.kind === 'restored')
    out += `  backup ${s.backup!.path}: ${outcome.files} files restored and verified\n`;
  else if (outcome.kind === 'incomplete')
    out += `  WARNING: ${outcome.restoredFiles} of ${outcome.backupFiles} files restored; the full backup is at ${outcome.backupPath}\n`;
  else if (outcome.kind === 'not-restored') out += `  backup ${outcome.backupPath} NOT restored yet\n`;
  else out += '  backup skipped: the old data is gone\n';
  out += `  durations: image ${d('image')}, backup ${d('backup')}, flash ${d('flash')}, restore ${d('restore')}\n`;
  out += '  next: re-link the scripts (kintsugi-usb/scripts) and check your models are still listed\n';
  return out;
}
