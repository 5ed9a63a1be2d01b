// Frees a drive before it is overwritten: unmounts every mountpoint on it, innermost first (LVM/LUKS volumes, then
// partitions, then the disk), and turns swap off. Re-reads lsblk so mounts made after the drive was listed count too.
import { KintsugiError } from '../../../shared/errors';
import type { DriveInfo } from '../../../shared/model';
import { runTool } from '../util/run-tool';
import { readLsblk } from './list-drives';

interface Target {
  mountpoint: string;
  device: string;
}

/** Returns the mountpoints it unmounted (and swap devices it switched off), in order. */
export async function unmountDrive(drive: DriveInfo): Promise<string[]> {
  const done: string[] = [];
  // A path can be mounted more than once (stacked or bind mounts): repeat until lsblk shows nothing left.
  for (let round = 0; round < 5; round++) {
    const fresh = (await readLsblk([drive.device]).catch(() => [])).find((d) => d.device === drive.device);
    const targets = orderedTargets(
      fresh ?? (round === 0 ? drive : { ...drive, partitions: [], mountpoints: [] }),
    );
    if (targets.length === 0) return done;
    for (const t of targets) {
      if (t.mountpoint === '[SWAP]') {
        await run('swapoff', [t.device], t.device);
        done.push(`swap:${t.device}`);
      } else {
        await run('umount', [t.mountpoint], t.mountpoint);
        done.push(t.mountpoint);
      }
    }
  }
  return done;
}

/** Pure: holders (deepest first) before their partition, partitions before the disk itself. */
export function orderedTargets(drive: DriveInfo): Target[] {
  const out: Target[] = [];
  for (const p of drive.partitions) {
    for (const h of p.holders) for (const m of h.mountpoints) out.push({ mountpoint: m, device: h.path });
    for (const m of p.mountpoints) out.push({ mountpoint: m, device: p.path });
  }
  const below = new Set(out.map((t) => t.mountpoint));
  for (const m of drive.mountpoints) if (!below.has(m)) out.push({ mountpoint: m, device: drive.device });
  // Nested mounts on the same drive (/mnt/a and /mnt/a/b): the deeper path must go first.
  return out.sort((a, b) => depth(b.mountpoint) - depth(a.mountpoint));
}

function depth(mountpoint: string): number {
  return mountpoint === '[SWAP]' ? 1000 : mountpoint.split('/').length;
}

async function run(tool: string, args: string[], what: string): Promise<void> {
  try {
    await runTool(tool, args);
  } catch (err) {
    if (err instanceof KintsugiError) throw err;
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new KintsugiError('DRIVE_UNMOUNT_FAILED', `${what}: ${stderr || (err as Error).message}`, {
      cause: err,
    });
  }
}
