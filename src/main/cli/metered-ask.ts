import { KintsugiError } from '../../shared/errors';
import type { JobRequest } from '../../shared/registry';
import type { DomainCommandContext } from './domain-command';

// Every CLI command that downloads (repo check/pull/clone, frameworks install, models pull) runs its job as asked;
// when the job's metered gate refuses (NETWORK_METERED) at a terminal, the person is asked once and the job runs
// again with their yes. Without a terminal the refusal stands: --allow-metered says yes up front.

export async function runAskingOnMetered(
  c: DomainCommandContext,
  allow: boolean,
  make: (allowMetered: boolean) => JobRequest,
): Promise<unknown> {
  try {
    return await c.run(make(allow));
  } catch (err) {
    if (!(err instanceof KintsugiError) || err.code !== 'NETWORK_METERED' || !c.io.stdinIsTTY) throw err;
    c.io.stderr.write(`${err.detail ?? err.message}\n`);
    const answer = (await c.io.readLine('Download anyway? Type yes to continue: '))?.trim().toLowerCase();
    if (answer !== 'yes') throw err;
    return c.run(make(true));
  }
}
