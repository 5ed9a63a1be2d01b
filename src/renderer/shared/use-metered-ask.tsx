import { useState, type ReactNode } from 'react';
import { api } from './api';
import { ConfirmDialog } from './components/confirm-dialog';
import { toUiError, type UiError } from './errors';

// Downloads ask first on a metered network. Before an action that downloads, the page asks main whether the
// network is metered (repo.network: the setting, else NetworkManager); metered, a dialog says what will download
// and the action runs only on the person's yes, passing allowMetered so main's own gate lets it through.

export interface MeteredAsk {
  /** Runs RUN(allowMetered) at once when the network is not metered, else after the person's yes. */
  ask(what: string, run: (allowMetered: boolean) => void): void;
  /** The dialog to render (null when none is open). */
  dialog: ReactNode;
  /** Why the network could not be read; the action then did not run. */
  error?: UiError;
}

export function useMeteredAsk(): MeteredAsk {
  const [pending, setPending] = useState<{ what: string; run: (allow: boolean) => void; source: string }>();
  const [error, setError] = useState<UiError>();
  const ask: MeteredAsk['ask'] = (what, run) => {
    setError(undefined);
    api()
      .repo.network()
      .then((net) => {
        if (!net.metered) run(false);
        else
          setPending({
            what,
            run,
            source: net.source === 'setting' ? 'the Metered setting says so' : 'NetworkManager says so',
          });
      })
      .catch((err: unknown) => setError(toUiError(err)));
  };
  const dialog = pending ? (
    <ConfirmDialog
      title="Download on a metered network?"
      confirmLabel="Download anyway"
      onCancel={() => setPending(undefined)}
      onConfirm={() => {
        const { run } = pending;
        setPending(undefined);
        run(true);
      }}
    >
      <p>
        {pending.what} downloads over a metered network ({pending.source}). Its size is not known before it
        runs.
      </p>
      <p>Download now, or cancel and wait for an unmetered network.</p>
    </ConfirmDialog>
  ) : null;
  return { ask, dialog, error };
}
