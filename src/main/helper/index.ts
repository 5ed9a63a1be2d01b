import { allowOnlyDevicesInThisProcess } from '../core/backup/source';
import { resolveTargetDrive } from '../core/drives/resolve-target';
import { runJob } from '../core/jobs/run-job';
import { authorizeHelperJob } from './authorize';
import { invokingUid } from './invoker';
import { serveJobHost } from '../job-host/server';
import { isHelperJob } from './jobs';
import { APP_VERSION } from '../core/app/version';

// Entry of the privileged helper (out/main/helper.js). Started by HelperClient directly (already root) or through
// pkexec. stdout carries the protocol only, so anything core might print goes to stderr instead.

console.log = console.info = (...args: unknown[]) => console.error(...args);

process.on('SIGPIPE', () => {});
// SIGINT/SIGTERM from the terminal or the parent: same path as stdin closing, so running jobs are cancelled.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => process.stdin.destroy());

// Second gate behind the authorizers: nothing in this process may mount a regular file or copy a directory as a
// backup source / restore target, whichever code path asks.
allowOnlyDevicesInThisProcess();

let uid: number;
try {
  uid = invokingUid(process.env, process.getuid?.() ?? -1); // no getuid (not Linux): a uid that owns nothing
} catch (err) {
  // Before 'ready': the client reports this stderr line as the reason the helper failed to start.
  process.stderr.write(`kintsugi-helper: ${(err as { detail?: string }).detail ?? String(err)}\n`);
  process.exit(1);
}

void serveJobHost({
  name: 'the privileged helper',
  accepts: isHelperJob,
  input: process.stdin,
  output: process.stdout,
  version: APP_VERSION,
  runJob: (req, ctx) => runJob(req, ctx),
  authorize: (job) => authorizeHelperJob(job, { uid, checkDrive: resolveTargetDrive }),
}).then((reason) => {
  process.stderr.write(`kintsugi-helper: exiting (${reason})\n`);
  process.exit(0);
});
