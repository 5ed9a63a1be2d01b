import { useState } from 'react';
import type { ReflashState } from '../../../shared/reflash/state';
import { useStore } from '../../app/store';
import { ConfirmDialog } from '../../shared/components/confirm-dialog';
import { TypedConfirmDialog } from '../../shared/components/typed-confirm-dialog';
import { formatBytes } from '../../shared/format';
import { confirmDevice, startOverNeedsConfirmation } from './flow';

/**
 * "Start over". While a verified backup waits to be restored into a drive that was already written, main asks for
 * the typed device name: the dialog says so, names the backup and offers the restore instead. Otherwise a plain
 * confirmation. If main asks for the typed name anyway (its gate is the authority), the typed dialog follows.
 */
export function StartOverDialog({ state }: { state: ReflashState }) {
  const [typedNeeded, setTypedNeeded] = useState(startOverNeedsConfirmation(state));
  const close = () => useStore.getState().setStartOverOpen(false);
  const startOver = useStore((s) => s.startOver);
  const busy = useStore((s) => s.reflashBusy);
  const device = confirmDevice(state);

  if (!typedNeeded) {
    return (
      <ConfirmDialog
        title="Start over?"
        confirmLabel="Start over"
        busy={busy}
        onCancel={close}
        onConfirm={() =>
          void startOver(undefined, { quiet: true }).then((r) => {
            if (r.ok) return;
            if (r.error.code === 'CONFIRMATION_REQUIRED') setTypedNeeded(true);
            else {
              close();
              useStore.getState().setReflashError(r.error);
            }
          })
        }
      >
        <p>
          This forgets the choices made so far{state.device ? <> (the drive {state.device})</> : null}.
          Nothing on the drive is changed and no backup is deleted.
        </p>
      </ConfirmDialog>
    );
  }

  const backup = state.backup;
  return (
    <TypedConfirmDialog
      title="Your data is not restored yet"
      device={device}
      confirmLabel="Start over anyway"
      onCancel={close}
      onConfirm={async (typed) => {
        const r = await startOver(typed, { quiet: true });
        return r.ok ? undefined : r.error;
      }}
      alternative={
        <button
          type="button"
          onClick={() => {
            close();
            if (state.step !== 'restore') void useStore.getState().goTo('restore');
          }}
        >
          Restore instead
        </button>
      }
    >
      <p>
        <code>{device}</code> has been written with the new image, but your backup has not been restored into
        it{state.restore ? ' completely' : ''}.
      </p>
      {backup && (
        <p>
          Your backup is kept in <code>{backup.path}</code> ({backup.manifest.files} files,{' '}
          {formatBytes(backup.manifest.bytes)}). Starting over does not delete it: you can still put it back
          later with “Restore an existing backup”.
        </p>
      )}
      <p>To restore it now instead, choose Restore instead.</p>
    </TypedConfirmDialog>
  );
}
