import { main } from './main';
import { nodeIo } from './io';

// Entry of the `kintsugi` command (out/main/cli.js, started by bin/kintsugi.js). First Ctrl-C cancels the running
// job cleanly (the job unmounts and closes the device, exit 130); a second one exits at once.

const interrupt = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  if (++interrupts > 1) process.exit(130);
  process.stderr.write('\nCancelling... (Ctrl-C again to quit at once)\n');
  interrupt.abort();
});
process.on('SIGTERM', () => interrupt.abort());
process.stdout.on('error', () => {}); // `kintsugi drives | head` must not crash on EPIPE

void main(process.argv.slice(2), nodeIo(interrupt)).then((code) => {
  process.exitCode = code;
  // Jobs are done; do not wait for stray handles (an idle readline, a drive watcher) to close.
  setTimeout(() => process.exit(code), 50).unref();
});
