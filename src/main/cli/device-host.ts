import { APP_VERSION } from '../core/app/version';
import { runJob } from '../core/jobs/run-job';
import { serveJobHost } from '../job-host/server';
import { isDeviceJob } from './device-jobs';

// Entry of the CLI's device host (out/main/device-host.js): the child process in which `kintsugi` runs the jobs
// that do device I/O (flash, verify-drive, backup, restore: the jobs declared for the helper). A drive that stops
// answering leaves the thread doing its I/O in uninterruptible sleep, and a process with such a thread cannot
// exit, Ctrl-C or not; so that thread must not be in the CLI, which has to answer. The CLI starts one host per
// job and kills it when it ignores a cancel (device-host-client.ts).
//
// No authorizer: the CLI runs as root on its own behalf (sudo), so it may back up a folder or an image file,
// which the privileged helper (root on someone else's behalf) refuses. Core's own checks run here as in-process.

console.log = console.info = (...args: unknown[]) => console.error(...args); // stdout is the protocol

process.on('SIGPIPE', () => {});
// Ctrl-C reaches the whole foreground process group, this child included: treat it as the parent going away
// (running jobs are cancelled), and let the CLI decide when to give up on us.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => process.stdin.destroy());

void serveJobHost({
  name: 'the CLI device host',
  accepts: isDeviceJob,
  input: process.stdin,
  output: process.stdout,
  version: APP_VERSION,
  runJob: (req, ctx) => runJob(req, ctx),
  authorize: async (job) => job,
}).then((reason) => {
  process.stderr.write(`kintsugi-device-host: exiting (${reason})\n`);
  process.exit(0);
});
