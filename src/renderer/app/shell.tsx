import { useEffect } from 'react';
import { ErrorBox } from '../shared/components/error-box';
import { SettingsPanel } from '../shared/components/settings-panel';
import { PageNav } from './nav';
import { Router } from './router';
import { initStore, useStore } from './store';

/** The window: brand, page navigation and Settings on top, the current page below. */
export function Shell() {
  const loaded = useStore((s) => s.loaded);
  const route = useStore((s) => s.route);
  const error = useStore((s) => s.error);
  const settingsOpen = useStore((s) => s.settingsOpen);

  useEffect(() => {
    void initStore();
  }, []);

  return (
    <div className="app" data-route={route}>
      <header className="top">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <span className="brand-name">Kintsugi Updater</span>
        </div>
        <PageNav />
        <div className="top-actions">
          <button
            type="button"
            className="secondary small"
            onClick={() => useStore.getState().setSettingsOpen(true)}
          >
            Settings
          </button>
        </div>
      </header>
      <main className="content">
        {error && <ErrorBox error={error} onDismiss={() => useStore.getState().setError(undefined)} />}
        {loaded ? <Router route={route} /> : <p className="muted">Loading…</p>}
      </main>
      {settingsOpen && <SettingsPanel />}
    </div>
  );
}
