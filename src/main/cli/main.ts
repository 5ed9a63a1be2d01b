import { KintsugiError, toErrorPayload } from '../../shared/errors';
import { APP_VERSION } from '../core/app/version';
import { parseCli } from './args';
import { errorBlock, printable } from './format';
import type { CliDomain } from './domain-command';
import { CLI_DOMAINS } from './domains';
import type { CliIo } from './io';
import { USAGE } from './usage';

// `kintsugi` as a function: argv in, exit code out, all output through io. index.ts wires the real process.
// `domains` is the list of domain command groups (tests hand in one built with a stand-in backend).

export async function main(
  argv: string[],
  io: CliIo,
  domains: readonly CliDomain[] = CLI_DOMAINS,
): Promise<number> {
  const json = argv.includes('--json');
  let parsing = true; // a bad argument shows the usage; core's own INVALID_ARGUMENT does not
  try {
    const cli = parseCli(argv, io.cwd, io.env, domains);
    parsing = false;
    if (cli.command.cmd === 'help') {
      io.stdout.write(cli.json ? JSON.stringify({ result: { usage: USAGE } }) + '\n' : USAGE);
      return 0;
    }
    if (cli.command.cmd === 'version') {
      io.stdout.write(
        cli.json ? JSON.stringify({ result: { version: APP_VERSION } }) + '\n' : `kintsugi ${APP_VERSION}\n`,
      );
      return 0;
    }
    // Loaded here, not at start: --version and --help need none of core.
    const { runCommand } = await import('./run-command');
    const out = await runCommand(cli.command, io, cli);
    io.stdout.write(cli.json ? JSON.stringify({ result: out.result }) + '\n' : printable(out.human));
    return out.exitCode ?? 0;
  } catch (err) {
    let payload = toErrorPayload(err);
    // Ctrl-C: whatever the job died of, the user interrupted it.
    if (io.signal.aborted && payload.code !== 'CANCELLED')
      payload = new KintsugiError('CANCELLED', payload.detail).toPayload();
    if (json) io.stdout.write(JSON.stringify({ error: payload }) + '\n');
    else io.stderr.write(printable(errorBlock(payload)) + (parsing ? `\n${USAGE}` : ''));
    if (payload.code === 'CANCELLED' && io.signal.aborted) return 130;
    return payload.code === 'INVALID_ARGUMENT' ? 2 : 1;
  }
}
