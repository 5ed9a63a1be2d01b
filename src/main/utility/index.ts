import { APP_VERSION } from '../core/app/version';
import { runJob } from '../core/jobs/run-job';
import { parentChannel, streamsOver } from '../job-host/message-channel';
import { serveJobHost } from '../job-host/server';
import { isUtilityJob } from './jobs';

// Entry of the utility process (out/main/utility.js): heavy unprivileged jobs off the app's UI thread. Started by
// the app as an Electron utilityProcess (it talks over process.parentPort), or as a plain child process speaking
// over stdin/stdout (tests, or a main without Electron). It runs as the user, never as root, and only its own
// job types; its parameters need no authorizing beyond the schemas (nothing here has more rights than the app).

const cacheDir = process.env['KINTSUGI_CACHE_DIR'] || undefined;
const channel = parentChannel();
const { input, output } = channel ? streamsOver(channel) : { input: process.stdin, output: process.stdout };
if (!channel) console.log = console.info = (...args: unknown[]) => console.error(...args); // stdout is the protocol

process.on('SIGPIPE', () => {});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => input.destroy());

void serveJobHost({
  name: 'the utility process',
  accepts: isUtilityJob,
  input,
  output,
  version: APP_VERSION,
  runJob: (req, ctx) => runJob(req, ctx, { ...(cacheDir ? { cacheDir } : {}) }),
  authorize: async (job) => job,
}).then((reason) => {
  process.stderr.write(`kintsugi-utility: exiting (${reason})\n`);
  process.exit(0);
});
