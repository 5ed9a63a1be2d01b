import { execa } from 'execa';
import { KintsugiError } from '../../../shared/errors';
import type { JobContext } from '../jobs/context';
import { toolError } from '../util/run-tool';
import type { ToolEnv } from './tools';

// Runs one recipe command (npm, pipx, apt-get, code) with its own output streamed, line by line, into the job
// log as it comes: an install takes minutes and the person (and the log file) should see what the tool says.
// Argument arrays only, no shell. A failure names the step and carries the tool's last lines.

const TAIL = 15;

export interface StepFailure {
  step: string;
  command: string;
  tail: string[];
  cause: unknown;
}

export class RecipeStepError extends Error {
  constructor(readonly failure: StepFailure) {
    super(
      `${failure.step}: \`${failure.command}\` failed${failure.tail.length ? `: ${failure.tail.at(-1)}` : ''}`,
      {
        cause: failure.cause,
      },
    );
  }
}

export async function streamTool(
  step: string,
  file: string,
  args: readonly string[],
  ctx: JobContext,
  env: ToolEnv,
): Promise<string[]> {
  const command = [file, ...args].join(' ');
  ctx.log(`$ ${command}`);
  const lines: string[] = [];
  const proc = execa(file, args, {
    env,
    extendEnv: false,
    shell: false,
    stdin: 'ignore',
    all: true,
    reject: false,
    cancelSignal: ctx.signal,
    stripFinalNewline: true,
  });
  for await (const line of proc.iterable({ from: 'all' })) {
    const text = String(line).trimEnd();
    if (!text) continue;
    lines.push(text);
    ctx.log(text);
  }
  const r = await proc;
  if (r.isCanceled) throw new KintsugiError('CANCELLED');
  if (r.failed) {
    // A missing tool is its own, clearer error (TOOL_MISSING: install npm, pipx, VS Code).
    if ((r as { code?: string }).code === 'ENOENT') throw toolError(file, r);
    throw new RecipeStepError({ step, command, tail: lines.slice(-TAIL), cause: r });
  }
  return lines;
}
