import type { JobEntry } from '../jobs/store';

// What a job that did not finish may have left, in words, from the parameters main recorded with it. Shown next
// to an interrupted or failed job (on its step and on the jobs page) so the user knows what state things are in.

const param = (params: unknown, key: string): string | undefined => {
  const v = (params as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? v : undefined;
};

export function leftBehind(job: Pick<JobEntry, 'type' | 'params' | 'state'>): string | undefined {
  if (job.state === 'done' || job.state === 'running') return undefined;
  const p = job.params;
  switch (job.type) {
    case 'flash': {
      const device = param(p, 'device') ?? 'The drive';
      return `${device} may be partly written: flash it again before using it.`;
    }
    case 'verify-drive':
      return 'Nothing was written: the comparison can simply run again.';
    case 'backup': {
      const dest = param(p, 'destRoot');
      return `An unfinished backup folder may remain${dest ? ` under ${dest}` : ''}. It has no verified manifest, so it is never offered for a restore. The drive was not changed.`;
    }
    case 'restore': {
      const target = param(p, 'target');
      const dir = param(p, 'backupDir');
      return `The persistence store${target ? ` on ${target}` : ''} may be partly restored. The backup${dir ? ` in ${dir}` : ''} is untouched: restore it again.`;
    }
    case 'image-check': {
      const source = param(p, 'source');
      return source && /^https?:/.test(source)
        ? 'A partial download may remain in the cache; checking again resumes it.'
        : 'Nothing was changed: the check can simply run again.';
    }
    default:
      return undefined;
  }
}
