import { basename } from 'node:path';
import { confirmsDevice } from '../../shared/confirm-device';
import { KintsugiError } from '../../shared/errors';
import type { DriveInfo } from '../../shared/model';
import { formatBytes, printable } from './format';
import type { CliIo } from './io';

// Destructive commands (flash, reflash, restore into a device) need the device name typed at a terminal, or
// --yes. Without a terminal there is nobody to ask: refuse rather than guess.

export async function confirmDevice(
  io: CliIo,
  opts: { yes: boolean; device: string; action: string; drive?: DriveInfo },
): Promise<void> {
  if (opts.yes) return;
  if (!io.stdinIsTTY) {
    throw new KintsugiError(
      'CONFIRMATION_REQUIRED',
      `${opts.action} would erase ${opts.device}; stdin is not a terminal, so pass --yes to confirm`,
    );
  }
  const name = basename(opts.device);
  const about = opts.drive ? ` (${opts.drive.description}, ${formatBytes(opts.drive.size)})` : '';
  io.stderr.write(printable(`\nThis will ERASE everything on ${opts.device}${about}: ${opts.action}.\n`));
  const answer = await io.readLine(`Type the device name (${name}) to continue: `);
  if (answer === null) {
    if (io.signal.aborted) throw new KintsugiError('CANCELLED', 'interrupted at the confirmation prompt');
    throw new KintsugiError('CONFIRMATION_REQUIRED', `no answer was typed; ${opts.device} was not touched`);
  }
  const typed = answer.trim();
  if (!confirmsDevice(typed, opts.device)) {
    throw new KintsugiError(
      'CONFIRMATION_REQUIRED',
      `typed "${typed}", expected "${name}"; ${opts.device} was not touched`,
    );
  }
}

/**
 * A yes/no question before a change that is not a drive's erasure (apply OS updates, roll back): --yes answers it
 * up front; without a terminal and without --yes, refuse (CONFIRMATION_REQUIRED) rather than guess.
 */
export async function confirmAction(
  io: CliIo,
  opts: { yes: boolean; action: string; details?: string },
): Promise<void> {
  if (opts.yes) return;
  if (!io.stdinIsTTY)
    throw new KintsugiError(
      'CONFIRMATION_REQUIRED',
      `${opts.action}: stdin is not a terminal, so pass --yes`,
      {
        hint: 'Run it at a terminal to be asked, or add --yes.',
      },
    );
  if (opts.details) io.stderr.write(printable(opts.details));
  const answer = await io.readLine(`${opts.action}? Type yes to continue: `);
  if (answer === null && io.signal.aborted)
    throw new KintsugiError('CANCELLED', 'interrupted at the question');
  if (answer?.trim().toLowerCase() !== 'yes')
    throw new KintsugiError(
      'CANCELLED',
      `not confirmed (typed ${JSON.stringify(answer?.trim() ?? '')}); nothing changed`,
    );
}
