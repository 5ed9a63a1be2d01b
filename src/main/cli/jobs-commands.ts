import { KintsugiError } from '../../shared/errors';
import type { JobRecord } from '../../shared/jobs/record';
import type { Services } from '../core/services';
import type { Command } from './args';
import type { CommandOutput } from './run-command';

// `kintsugi jobs list | show ID | log ID`: the journal under --state-dir, read as the app's jobs page reads it.

export async function jobsCommand(
  cmd: Extract<Command, { cmd: 'jobs-list' | 'jobs-show' | 'jobs-log' }>,
  services: Services,
): Promise<CommandOutput> {
  await services.interrupted;
  if (cmd.cmd === 'jobs-list') {
    const records = await services.journal.list();
    return { result: records, human: jobsTable(records) };
  }
  const record = await services.journal.read(cmd.jobId).catch(() => null);
  if (!record)
    throw new KintsugiError('JOB_NOT_FOUND', `no job ${cmd.jobId} in ${services.journal.dir}`, {
      hint: 'List the jobs with `kintsugi jobs list` (add --state-dir if they ran with one).',
    });
  if (cmd.cmd === 'jobs-show') return { result: record, human: JSON.stringify(record, null, 2) + '\n' };
  const log = await services.journal.tail(record.id, 1024 * 1024);
  return { result: log, human: (log.truncated ? '[... earlier lines rotated away ...]\n' : '') + log.text };
}

function jobsTable(records: JobRecord[]): string {
  if (!records.length) return 'No jobs yet.\n';
  const rows = records.map((r) => [
    r.id,
    r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    r.type,
    r.state,
    r.error
      ? `${r.error.code}: ${r.error.detail ?? r.error.message}`
      : r.state === 'interrupted' && r.last
        ? `stopped at ${r.last.kind} ${r.last.phase}`
        : '',
  ]);
  const head = ['ID', 'STARTED', 'TYPE', 'STATE', 'OUTCOME'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(w[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}
