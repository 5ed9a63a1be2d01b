import { join } from 'node:path';
import { KintsugiError } from '../../../../shared/errors';
import { freeSpaceNear } from '../../util/free-space';
import { bootBytesNeeded, bootFilesOf, parseOstreeLs, type BootFile } from './boot-files';
import { ostree } from './run-ostree';

// Refuses a deploy that would not fit in the sysroot's /boot, before ostree starts writing there: a /boot that
// fills half-way leaves a deployment without its kernel and a bootloader config pointing at it.

export type FreeSpace = (path: string) => Promise<{ free: number }>;

const MiB = 1024 * 1024;

async function bootFilesOfCommit(repo: string, checksum: string, signal?: AbortSignal): Promise<BootFile[]> {
  const all: BootFile[] = [];
  for (const dir of ['/usr/lib/modules', '/usr/lib/ostree-boot', '/boot']) {
    // Exit 1: the commit has no such folder (most have only one of the three).
    const r = await ostree([`--repo=${repo}`, 'ls', '-R', '-C', checksum, dir], { signal, okCodes: [1] });
    if (r.exitCode === 0) all.push(...parseOstreeLs(r.stdout));
  }
  return bootFilesOf(all);
}

export async function checkBootSpace(args: {
  sysroot: string;
  next: string;
  nextLabel: string;
  deployed: readonly string[];
  freeSpace?: FreeSpace;
  signal?: AbortSignal;
}): Promise<{ needed: number; free: number }> {
  const repo = join(args.sysroot, 'ostree', 'repo');
  const next = await bootFilesOfCommit(repo, args.next, args.signal);
  const existing = [];
  for (const c of args.deployed) existing.push(await bootFilesOfCommit(repo, c, args.signal));
  const needed = bootBytesNeeded(next, existing);
  const bootDir = join(args.sysroot, 'boot');
  const { free } = await (args.freeSpace ?? freeSpaceNear)(bootDir);
  if (needed > free)
    throw new KintsugiError(
      'OS_BOOT_FULL',
      `${args.nextLabel} needs about ${(needed / MiB).toFixed(1)} MiB in ${bootDir} (kernel, initramfs and a margin); ${(free / MiB).toFixed(1)} MiB are free`,
    );
  return { needed, free };
}
