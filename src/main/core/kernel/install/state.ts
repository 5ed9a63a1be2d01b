import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { KintsugiError } from '../../../../shared/errors';
import { saveJsonFile } from '../../util/json-file';
import { stateFile } from './paths';

// The host's install record, <root>/var/lib/kintsugi/kernel/<host>.json, written atomically after every step:
// it is the pipelines' checkpoints and what `status` and the tray read. A record that does not parse is NOT moved
// aside and replaced (json-file.ts does that for settings): here a fresh start would forget a kernel that is
// waiting for its heartbeat, so it is refused and left for a person.

const when = z.string().datetime();

export const installRecordSchema = z.object({
  schema: z.literal(1),
  host: z.string(),
  kind: z.enum(['deb', 'pacman']),
  /** The manifest's install section, kept so a rollback needs no workspace. */
  install: z.object({
    bootloader: z.enum(['extlinux', 'grub', 'systemd-boot']),
    initramfs: z.enum(['mkinitcpio', 'update-initramfs', 'dracut']),
  }),
  package: z.object({
    file: z.string(),
    sha256: z.string(),
    name: z.string(),
    version: z.string(),
    arch: z.string(),
    kernelRelease: z.string(),
  }),
  /** What the install replaces; null on a first install (nothing to back up). */
  replaced: z.object({ version: z.string(), kernelRelease: z.string().nullable() }).nullable(),
  backupPath: z.string().nullable(),
  heartbeatTimeoutSec: z.number().int().min(0),
  phase: z.enum(['installing', 'pending-heartbeat', 'rolling-back', 'rolled-back']),
  steps: z.object({
    backup: z.object({ at: when, files: z.number().int(), bytes: z.number().int() }).optional(),
    install: z.object({ at: when }).optional(),
    triggers: z.object({ at: when, outcomes: z.array(z.string()) }).optional(),
  }),
  installedAt: when.optional(),
  /** installedAt + heartbeatTimeoutSec: past it without a heartbeat the install is overdue. */
  deadline: when.optional(),
  rollback: z
    .object({
      package: z.string().optional(),
      restored: z.number().int().optional(),
      triggers: z.array(z.string()).optional(),
      at: when.optional(),
    })
    .optional(),
});

export type InstallRecord = z.infer<typeof installRecordSchema>;

export async function loadRecord(root: string, host: string): Promise<InstallRecord | null> {
  const path = stateFile(root, host);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KintsugiError('KERNEL_STATE_DAMAGED', `${path}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new KintsugiError('KERNEL_STATE_DAMAGED', `${path} is not JSON`, { cause: err });
  }
  const r = installRecordSchema.safeParse(parsed);
  if (!r.success)
    throw new KintsugiError(
      'KERNEL_STATE_DAMAGED',
      `${path}: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`,
    );
  if (r.data.host !== host)
    throw new KintsugiError('KERNEL_STATE_DAMAGED', `${path} is the record of host ${r.data.host}`);
  return r.data;
}

export async function saveRecord(root: string, rec: InstallRecord): Promise<InstallRecord> {
  await saveJsonFile(stateFile(root, rec.host), installRecordSchema.parse(rec));
  return rec;
}
