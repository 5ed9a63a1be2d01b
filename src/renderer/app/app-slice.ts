import type { StateCreator } from 'zustand';
import type { Route } from '../../shared/app/routes';
import { defaultSettings, type Settings, type SettingsPatch } from '../../shared/app/settings';
import { api } from '../shared/api';
import { toUiError, type UiError } from '../shared/errors';
import type { RootState } from './store';

// The app slice: settings, the page shown (saved by main so it survives a restart), the settings panel and the
// app-wide error box.

export interface AppSlice {
  loaded: boolean;
  settings: Settings;
  route: Route;
  settingsOpen: boolean;
  error?: UiError;
  loadApp(): Promise<void>;
  navigate(route: Route): void;
  saveSettings(patch: SettingsPatch): Promise<void>;
  setError(error?: unknown): void;
  setSettingsOpen(open: boolean): void;
}

let saveSeq = 0;

export const createAppSlice: StateCreator<RootState, [], [], AppSlice> = (set, get) => ({
  loaded: false,
  settings: defaultSettings(),
  route: 'home',
  settingsOpen: false,

  async loadApp() {
    try {
      const [settings, ui] = await Promise.all([api().app.getSettings(), api().app.getUiState()]);
      set({ settings, route: ui.route });
    } catch (err) {
      get().setError(err);
    }
  },

  navigate(route) {
    if (route === get().route) return;
    set({ route });
    api()
      .app.saveUiState({ route })
      .catch((err: unknown) => get().setError(err));
  },

  async saveSettings(patch) {
    // Optimistic: a checkbox reflects the click at once. Main's answer (validated, ~ expanded, emptied fields
    // cleared) is the truth; of several saves in flight only the last answer is taken, so an earlier one arriving
    // late cannot revert a later change. (Text fields keep their own text and save when left: path-field.tsx.)
    const seq = ++saveSeq;
    set({ settings: { ...get().settings, ...patch } as Settings });
    try {
      const saved = await api().app.saveSettings(patch);
      if (seq === saveSeq) set({ settings: saved });
    } catch (err) {
      get().setError(err);
    }
  },

  setError: (error) => set({ error: error === undefined ? undefined : toUiError(error) }),
  setSettingsOpen: (open) => set({ settingsOpen: open }),
});
