import { useEffect, useRef } from 'react';
import { ErrorBox } from './components/error-box';
import { SettingsPanel } from './components/settings-panel';
import { StepNav } from './components/step-nav';
import { useStore } from './store';
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

export function App() {
  const loaded = useStore((s) => s.loaded);
  const step = useStore((s) => s.wizard.step);
  const error = useStore((s) => s.error);
  const settingsOpen = useStore((s) => s.settingsOpen);
  const jobRunning = useStore((s) => s.job?.state === 'running');
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    void useStore.getState().init();
  }, []);
  // Move focus to the new step's heading so keyboard and screen-reader users start at the top of it.
  useEffect(() => {
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [step, loaded]);

  const View = STEP_VIEWS[step];
  return (
    <div className="app" data-step={step}>
      <header className="top">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          Kintsugi Updater
        </div>
        <StepNav current={step} />
        <div className="top-actions">
          <button
            type="button"
            className="secondary small"
            onClick={() => void useStore.getState().resetWizard()}
            disabled={jobRunning || step === 'image'}
          >
            Start over
          </button>
          <button
            type="button"
            className="secondary small"
            onClick={() => useStore.getState().setSettingsOpen(true)}
          >
            Settings
          </button>
        </div>
      </header>
      <main ref={mainRef} className="content">
        {error && <ErrorBox error={error} onDismiss={() => useStore.getState().setError(undefined)} />}
        {loaded ? <View /> : <p className="muted">Loading…</p>}
      </main>
      {settingsOpen && <SettingsPanel />}
    </div>
  );
}
