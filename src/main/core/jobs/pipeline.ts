import { KintsugiError } from '../../../shared/errors';

// A multi-step flow run start to finish (the CLI's reflash today; OS apply and kernel install later). Each step
// says whether its checkpoint is already in the saved state; those are skipped, so a rerun after a crash or a
// failure resumes at the first unfinished step. The state is the flow's own, saved by the flow after each step.

export interface PipelineStep<S> {
  id: string;
  /** The heading shown when the step runs. */
  title(state: S): string;
  /** True when the saved state already holds this step's outcome. */
  done(state: S): boolean;
  /** Runs the step and returns the state after it (the flow has saved it). */
  run(state: S): Promise<S>;
}

export interface PipelineHooks<S> {
  signal?: AbortSignal;
  onStep?(step: PipelineStep<S>, state: S, skipped: boolean): void;
}

export async function runPipeline<S>(
  steps: PipelineStep<S>[],
  initial: S,
  hooks: PipelineHooks<S> = {},
): Promise<{ state: S; ran: string[]; skipped: string[] }> {
  let state = initial;
  const ran: string[] = [];
  const skipped: string[] = [];
  for (const step of steps) {
    if (step.done(state)) {
      skipped.push(step.id);
      hooks.onStep?.(step, state, true);
      continue;
    }
    if (hooks.signal?.aborted) throw new KintsugiError('CANCELLED', `before step ${step.id}`);
    hooks.onStep?.(step, state, false);
    state = await step.run(state);
    if (!step.done(state))
      throw new KintsugiError('INTERNAL', `step ${step.id} finished without reaching its checkpoint`);
    ran.push(step.id);
  }
  return { state, ran, skipped };
}
