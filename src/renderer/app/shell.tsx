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
  // Enter continues even when focus sits on nothing in particular (after a job's button was disabled, or on
  // the step heading): it presses the step's primary (submit) button when that is enabled.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' || e.defaultPrevented || useStore.getState().settingsOpen) return;
      const active = document.activeElement;
      if (active && active !== document.body && active.tagName !== 'H1') return;
      const primary = mainRef.current?.querySelector<HTMLButtonElement>(
        'form button[type=submit]:not(:disabled)',
      );
      if (primary) {
        e.preventDefault();
        primary.click();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
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
