import type { Progress } from '../../shared/progress';
import type { JobRequest } from '../../shared/registry';

// What a job leaves behind when its host had to be killed mid-way. The host is stuck in the kernel (a drive that
// stopped answering keeps its I/O thread in uninterruptible sleep), so the job's own cleanup never ran: the user
// must be told plainly which process is still there, why it cannot end yet, and what state the data is in.

const MiB = 1024 * 1024;
const size = (bytes: number) =>
  bytes >= 1024 * MiB ? `${(bytes / 1024 / MiB).toFixed(1)} GiB` : `${Math.round(bytes / MiB)} MiB`;

/**
 * How long a host gets, after a cancel, to report the job's end before it is killed as stuck: the time its own
 * cancel path needs. A flash or a verify only closes the device (core/flash gives that 2 s); a backup or a
 * restore abandons rsync (2 s) and unmounts, lazily if busy (up to 3 s read-only, more read-write): a host killed
 * before that would leave its mounts behind.
 */
export function cancelGraceMs(job: JobRequest): number {
  return job.type === 'flash' || job.type === 'verify-drive' ? 5_000 : 10_000;
}

/** One sentence per job type: the state of the data the killed job was working on. */
export function jobLeftBehind(job: JobRequest, last?: Progress): string {
  switch (job.type) {
    case 'flash': {
      const p = job.params;
      if (last?.kind === 'flash' && last.phase === 'verify')
        return `the image was written to ${p.device} but not verified: run \`kintsugi verify\` once the drive answers`;
      const done =
        last?.kind === 'flash' && last.bytes !== undefined
          ? ` (${size(last.bytes)}${last.total ? ` of ${size(last.total)}` : ''} written)`
          : '';
      return `the drive ${p.device} is partly overwritten${done} and will not boot: flash it again`;
    }
    case 'verify-drive':
      return `nothing was written: ${job.params.device} was only being read`;
    case 'backup':
      return `no backup was made: an unfinished copy (kintsugi-backup-*.incomplete) may be left in ${job.params.destRoot} (delete it to free the space), and the persistence store of ${job.params.source} may still be mounted read-only under /tmp/kintsugi-persist-* (\`umount -l\` it)`;
    case 'restore':
      return `the persistence store on ${job.params.target} is partly restored: restore ${job.params.backupDir} again once the drive answers`;
    default:
      return `the ${job.type} job was left unfinished`;
  }
}

/** The whole story of a host killed after it ignored a cancel, for the job's error detail. */
export function killedHostDetail(o: {
  host: string;
  pid: number;
  waitedMs: number;
  job: JobRequest;
  last?: Progress;
}): string {
  return (
    `the ${o.host} (pid ${o.pid}) did not stop within ${Math.round(o.waitedMs / 1000)} s of the cancel: ` +
    `it is stuck in the kernel, waiting on a device that stopped answering. It was killed and will end when ` +
    `the device answers or is removed; ${jobLeftBehind(o.job, o.last)}`
  );
}
