import { useId, useState } from 'react';
import { useStore } from '../../app/store';
import { confirmsDevice } from '../../../shared/confirm-device';

/** Skipping the backup: only by typing the device name exactly (main checks it and records the skip for this
 * drive only). */
export function SkipBackup({ device }: { device: string }) {
  const [typed, setTyped] = useState('');
  const busy = useStore((s) => s.reflashBusy);
  const typedId = useId();
  const skip = async () => {
    const r = await useStore.getState().skipBackup(typed);
    if (r.ok && r.state.step === 'backup') void useStore.getState().goTo('flash');
  };
  return (
    <section className="card locked" aria-label="Skip the backup">
      <h2>Nothing to keep?</h2>
      <p>
        Flashing erases everything on <code>{device}</code>. Without a backup, nothing is restored afterwards.
      </p>
      <p className="muted">
        If you really have nothing to keep, type the device name <code>{device}</code> to skip the backup.
      </p>
      <div className="field">
        <label htmlFor={typedId}>Device name to skip the backup</label>
        <input
          id={typedId}
          name="skip-confirm"
          type="text"
          spellCheck={false}
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(e) => {
            // Enter here skips (once the name matches), never the step's own primary action.
            if (e.key !== 'Enter') return;
            e.preventDefault();
            if (confirmsDevice(typed, device) && !busy) void skip();
          }}
        />
      </div>
      <button
        type="button"
        className="danger"
        disabled={!confirmsDevice(typed, device) || busy}
        onClick={() => void skip()}
      >
        Skip the backup
      </button>
    </section>
  );
}
