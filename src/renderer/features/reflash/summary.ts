import type { ReflashState } from '../../../shared/reflash/state';
import type { JobEntry } from '../jobs/store';
import { describeProgress, percent } from '../../shared/progress-text';
import { flowSteps, restoreComplete, STEP_TITLES, untouched } from './flow';

// The reflash flow at a glance, for the home page: one sentence, a tone, and the next action's label.

export interface FlowSummary {
  text: string;
  tone: 'muted' | 'ok' | 'warn';
  action: string;
}

export function reflashSummary(state: ReflashState | undefined, jobs: Record<string, JobEntry>): FlowSummary {
  if (!state) return { text: 'Not loaded.', tone: 'warn', action: 'Open' };
  const job = state.activeJob ? jobs[state.activeJob.jobId] : undefined;
  if (state.activeJob && job?.state === 'running') {
    const d = describeProgress(job.progress);
    const pct = percent(d.fraction);
    return {
      text: `${job.title}: ${d.label}${pct !== undefined ? ` (${pct}%)` : ''}`,
      tone: 'muted',
      action: 'Open the reflash',
    };
  }
  if (state.activeJob && (!job || job.state === 'interrupted')) {
    return {
      text: `${job?.title ?? 'A job'} was interrupted when the app stopped: open it to see what it left and retry.`,
      tone: 'warn',
      action: 'Open the reflash',
    };
  }
  if (untouched(state)) {
    return {
      text: 'Not started. Writes a new Kintsugi image to the drive, keeping your data.',
      tone: 'muted',
      action: 'Start a reflash',
    };
  }
  const complete = restoreComplete(state);
  if (state.step === 'done') {
    const what = state.restoreOnly ? 'Backup restored' : `Done: ${state.image?.version ?? 'the new image'}`;
    if (complete)
      return { text: `${what} on ${state.device}; your data is back in place.`, tone: 'ok', action: 'Open' };
    if (!state.backup)
      return { text: `${what} on ${state.device}; no backup was taken.`, tone: 'ok', action: 'Open' };
    return {
      text: `${what} on ${state.device}, but your data is not restored yet (backup in ${state.backup.path}).`,
      tone: 'warn',
      action: 'Open',
    };
  }
  if (state.writtenDevice && state.backup && !complete) {
    return {
      text: `${state.writtenDevice} has been written; your data is not restored yet (backup in ${state.backup.path}).`,
      tone: 'warn',
      action: 'Continue the reflash',
    };
  }
  const steps = flowSteps(state);
  return {
    text: `Step ${steps.indexOf(state.step) + 1} of ${steps.length}: ${STEP_TITLES[state.step]}${
      state.device ? ` · ${state.device}` : ''
    }`,
    tone: 'muted',
    action: state.restoreOnly ? 'Continue the restore' : 'Continue the reflash',
  };
}
