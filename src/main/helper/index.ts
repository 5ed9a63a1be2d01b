import { resolveTargetDrive } from '../core/drives/resolve-target';
import { runJob } from '../core/jobs/run-job';
import { serveHelper } from './server';
import { APP_VERSION } from './version';

// Entry of the privileged helper (out/main/helper.js). Started by HelperClient directly (already root) or through
// pkexec. stdout carries the protocol only, so anything core might print goes to stderr instead.

console.log = console.info = (...args: unknown[]) => console.error(...args);

process.on('SIGPIPE', () => {});
// SIGINT/SIGTERM from the terminal or the parent: same path as stdin closing, so running jobs are cancelled.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => process.stdin.destroy());

void serveHelper({
  input: process.stdin,
  output: process.stdout,
  version: APP_VERSION,
  runJob: (req, ctx) => runJob(req, ctx),
  checkDrive: (device, opts) => resolveTargetDrive(device, opts),
}).then((reason) => {
  process.stderr.write(`kintsugi-helper: exiting (${reason})\n`);
  process.exit(0);
});
