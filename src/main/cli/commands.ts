import { stat } from 'node:fs/promises';
import { KintsugiError } from '../../shared/errors';
import type { JobRequest, JobResults, RestoreResult } from '../../shared/jobs';
import type { DriveView, FlashResult, ImageReport } from '../../shared/model';
import { canonicalWholeDisk, isBlockDevice } from '../core/drives/identity';
import { listDrives } from '../core/drives/list-drives';
import { resolveTargetDrive } from '../core/drives/resolve-target';
import { driveViews } from '../core/drives/views';
import type { JobExecutor } from '../core/jobs/executor';
import { inProcessExecutor } from '../core/jobs/run-job';
import { runReflash, type ReflashSummary } from '../core/reflash/run-reflash';
import type { Command, GlobalOptions } from './args';
import { confirmDevice } from './confirm';
import { formatBytes, formatDuration } from './format';
import type { CliIo } from './io';
import { progressView } from './progress-view';
import { runJobWithView, runTaskWithView } from './run-with-progress';

// One function per command. Each returns the JSON result and the human text; main() prints one or the other.
// The CLI runs core in its own process: device commands need root, and say "run with sudo" otherwise (it does
// not start the pkexec helper — a terminal user has sudo, and cron/SSH/fleets run as root already).

export interface CommandOutput {
  result: unknown;
  human: string;
}

type Ctx = { io: CliIo; g: GlobalOptions; executor: JobExecutor; run: (req: JobRequest) => Promise<unknown> };

/** The image-check request for commands that take --sha256 / --minisig / --pubkey. */
function imageCheckRequest(
  cmd: { image: string; sha256?: string; minisig?: string; pubkey?: string },
  fullCheck?: boolean,
): JobRequest {
  return {
    type: 'image-check',
    params: {
      source: cmd.image,
      ...(cmd.sha256 ? { sha256File: cmd.sha256 } : {}),
      ...(cmd.minisig ? { minisigFile: cmd.minisig } : {}),
      ...(cmd.pubkey ? { pubkey: cmd.pubkey } : {}),
      ...(fullCheck !== undefined ? { fullCheck } : {}),
    },
  };
}

function requireRoot(io: CliIo, what: string): void {
  if (io.getuid() !== 0) throw new KintsugiError('NEEDS_ROOT', `${what}: run \`sudo kintsugi ...\``);
}

/** A directory needs no root to copy; a drive or an image file must be mounted, which does. */
async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

const mbps = (bytes: number, ms: number) => (ms > 0 ? `${formatBytes((bytes * 1000) / ms)}/s` : '-');

export async function runCommand(command: Command, io: CliIo, g: GlobalOptions): Promise<CommandOutput> {
  const executor = io.executor ?? inProcessExecutor();
  const run = (req: JobRequest) => runJobWithView(req, executor, io.signal, progressView(io, g));
  const c: Ctx = { io, g, executor, run };
  switch (command.cmd) {
    case 'drives': {
      const views = await driveViews(await listDrives({ includeLoop: command.includeLoop }), {
        includeLoop: command.includeLoop,
      });
      return { result: views, human: drivesTable(views) };
    }
    case 'image-verify': {
      const report = (await run(imageCheckRequest(command, command.full))) as ImageReport;
      return { result: report, human: imageText(report) };
    }
    case 'flash':
      return flash(c, command);
    case 'verify': {
      requireRoot(io, 'verify reads the whole drive');
      const r = (await run({
        type: 'verify-drive',
        params: { image: command.image, device: command.device, includeLoop: command.includeLoop },
      })) as FlashResult;
      return {
        result: r,
        human: `${r.device} matches ${command.image}\n  sha256 ${r.sha256}\n  ${formatBytes(r.bytesWritten)} compared in ${formatDuration(r.durationMs / 1000)}\n`,
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
        params: { source, destRoot: command.dest, includeLoop: command.includeLoop },
      })) as JobResults['backup'];
      return {
        result: r,
        human: `Backup ${r.verified ? 'verified' : 'NOT verified'}: ${r.path}\n  ${r.files} files, ${formatBytes(r.bytes)}${r.linkDest ? `, incremental against ${r.linkDest}` : ''}\n`,
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
    case 'help':
    case 'version':
      throw new KintsugiError('INTERNAL', `${command.cmd} is handled by main()`);
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
  const report = (await run(imageCheckRequest(cmd))) as ImageReport;
  if (cmd.sha256 && !report.checksum?.ok) {
    throw new KintsugiError('IMAGE_CHECKSUM_MISSING', `${cmd.sha256} has no entry for ${cmd.image}`);
  }
  if (cmd.minisig && !report.signature?.ok) {
    throw new KintsugiError('IMAGE_SIGNATURE_INVALID', `${cmd.minisig} does not verify ${cmd.image}`);
  }
  const drive = await resolveTargetDrive(cmd.device, {
    includeLoop: cmd.includeLoop,
    imagePath: report.path,
    ...(report.imageSize !== undefined ? { imageSize: report.imageSize } : {}),
  });
  await confirmDevice(io, { yes: cmd.yes, device: cmd.device, action: `write ${cmd.image}`, drive });
  const r = (await run({
    type: 'flash',
    params: {
      image: report.path,
      device: cmd.device,
      includeLoop: cmd.includeLoop,
      verify: cmd.verify,
      ...(report.bmap ? { bmap: report.bmap.path } : {}),
      ...(report.checksum?.ok
        ? { expectedSha256: { target: report.checksum.target, value: report.checksum.expected } }
        : {}),
    },
  })) as FlashResult;
  return { result: { image: report, flash: r }, human: flashText(report, r) };
}

export function flashText(report: ImageReport, r: FlashResult): string {
  let human = `Wrote ${formatBytes(r.bytesWritten)} to ${r.device} in ${formatDuration(r.durationMs / 1000)} (${mbps(r.bytesWritten, r.durationMs)})${r.usedBmap ? ' using the .bmap' : ''}\n`;
  // With a .bmap the written hash covers the mapped bytes only: say so, or it reads as a wrong image hash.
  human += r.usedBmap ? `  sha256 of the mapped bytes ${r.sha256}\n` : `  sha256 ${r.sha256}\n`;
  if (report.checksum?.ok)
    human += `  the ${report.checksum.target === 'image' && report.compression !== 'none' ? 'decompressed image' : 'file'} matched the published sha256 (${report.checksum.fileName}) while writing\n`;
  human += `  ${r.verified ? `verified by reading it back in ${formatDuration((r.verifyDurationMs ?? 0) / 1000)}` : 'NOT verified (--no-verify)'}\n`;
  return human;
}

async function reflash(
  { io, g, executor }: Ctx,
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
  await confirmDevice(io, { yes: cmd.yes, device: cmd.device, action, drive });
  const s = await runTaskWithView('reflash', io.signal, progressView(io, g), (ctx) =>
    runReflash(
      {
        image: cmd.image,
        device: cmd.device,
        backupTo: cmd.backupTo,
        includeLoop: cmd.includeLoop,
        skipBackup: cmd.skipBackup,
        ...(cmd.sha256 ? { sha256File: cmd.sha256 } : {}),
        ...(cmd.minisig ? { minisigFile: cmd.minisig } : {}),
        ...(cmd.pubkey ? { pubkey: cmd.pubkey } : {}),
      },
      ctx,
      executor,
    ),
  );
  return { result: s, human: reflashText(s) };
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
  if (r.bmap)
    s += `  bmap ${r.bmap.path}: ${formatBytes(r.bmap.mappedBytes)} mapped of ${formatBytes(r.bmap.imageSize)}\n`;
  return s;
}

function reflashText(s: ReflashSummary): string {
  const d = (k: keyof ReflashSummary['durations']) =>
    s.durations[k] !== undefined ? formatDuration(s.durations[k]! / 1000) : '-';
  let out = `Reflashed ${s.device} with ${s.image.source}${s.image.version ? ` (version ${s.image.version})` : ''}\n`;
  if (s.hashes.published)
    out += `  published sha256 (${s.hashes.published.target}) ${s.hashes.published.value}\n`;
  out += `  written sha256 ${s.hashes.written} (${formatBytes(s.bytes.written)}, verified)\n`;
  out += s.backup
    ? `  backup ${s.backup.path}: ${s.backup.files} files, ${formatBytes(s.backup.bytes)}, restored and verified\n`
    : '  backup skipped: the old data is gone\n';
  out += `  durations: image ${d('image')}, backup ${d('backup')}, flash ${d('flash')}, restore ${d('restore')}, total ${formatDuration(s.totalMs / 1000)}\n`;
  out += '  next: re-link the scripts (kintsugi-usb/scripts) and check your models are still listed\n';
  return out;
}
