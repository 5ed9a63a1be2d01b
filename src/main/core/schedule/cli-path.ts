import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KintsugiError } from '../../../shared/errors';

// How a timer calls kintsugi when the schedule is installed by the app's helper: the same Node (or Electron run
// as Node: the units set ELECTRON_RUN_AS_NODE=1) on the CLI bundle that the build puts beside every main-side
// bundle (out/main/cli.js next to helper.js).

export function bundledCliArgv(bundleDir = dirname(fileURLToPath(import.meta.url))): string[] {
  const cli = join(bundleDir, 'cli.js');
  if (!existsSync(cli))
    throw new KintsugiError('INTERNAL', `the kintsugi CLI bundle is not at ${cli}`, {
      hint: 'Install the schedule from the command line instead: sudo kintsugi schedule install.',
    });
  return [process.execPath, cli];
}
