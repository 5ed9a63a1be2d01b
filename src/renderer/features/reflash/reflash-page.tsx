import { useRef } from 'react';
import { useStore } from '../../app/store';
import { ErrorBox } from '../../shared/components/error-box';
import { useFocusHeading, usePrimaryEnter } from '../../shared/use-page';
import { flowSteps, untouched } from './flow';
import { StartOverDialog } from './start-over';
import { StepNav } from './step-nav';
import { BackupStep } from './steps/backup-step';
import { DoneStep } from './steps/done-step';
import { DriveStep } from './steps/drive-step';
import { FlashStep } from './steps/flash-step';
import { ImageStep } from './steps/image-step';
import { RestoreStep } from './steps/restore-step';

const STEP_VIEWS = {
  image: ImageStep,
  drive: DriveStep,
  backup: BackupStep,
  flash: FlashStep,
  restore: RestoreStep,
  done: DoneStep,
};

/** The base-image page: the reflash flow, one step at a time, as main's state says. */
export function ReflashPage() {
  const state = useStore((s) => s.reflash);
  const error = useStore((s) => s.reflashError);
  const startOverOpen = useStore((s) => s.startOverOpen);
  const jobRunning = useStore((s) => {
    const id = s.reflash?.activeJob?.jobId;
    return id !== undefined && s.jobs[id]?.state === 'running';
  });
  const pageRef = useRef<HTMLDivElement>(null);
  usePrimaryEnter(pageRef);
  useFocusHeading(pageRef, state?.step);

  if (!state) {
    return (
      <div ref={pageRef} className="page">
        <h1 tabIndex={-1}>Base image</h1>
        {error ? <ErrorBox error={error} /> : <p className="muted">Loading…</p>}
      </div>
    );
  }
  const View = STEP_VIEWS[state.step];
  return (
    <div ref={pageRef} className="page reflash" data-step={state.step}>
      <div className="page-bar">
        <StepNav steps={flowSteps(state)} current={state.step} />
        <button
          type="button"
          className="secondary small"
          onClick={() => useStore.getState().setStartOverOpen(true)}
          disabled={jobRunning || untouched(state)}
        >
          Start over
        </button>
      </div>
      {error && !startOverOpen && (
        <ErrorBox error={error} onDismiss={() => useStore.getState().setReflashError(undefined)} />
      )}
      <View state={state} />
      {startOverOpen && <StartOverDialog state={state} />}
    </div>
  );
}
