import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { confirmsDevice } from '../../../shared/confirm-device';
import type { UiError } from '../errors';
import { useDialog } from '../use-dialog';
import { ErrorBox } from './error-box';

/**
 * A destructive step confirmed by typing the device name: focus starts in the field, Enter there confirms once
 * the name matches, Esc cancels. The page only offers the button; main checks the typed name again and may
 * refuse, and its refusal is shown here, in the dialog, which then stays open.
 */
export function TypedConfirmDialog(props: {
  title: string;
  children: ReactNode;
  device: string;
  confirmLabel: string;
  onConfirm(typed: string): Promise<UiError | undefined>;
  onCancel(): void;
  /** Another way out, shown before Cancel (e.g. "Restore instead"). */
  alternative?: ReactNode;
  /** What else the field accepts besides `device` (default: the device name, with or without /dev/). */
  accepts?: (typed: string) => boolean;
}) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<UiError | undefined>();
  const dialogRef = useRef<HTMLFormElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const inputId = useId();
  useDialog(dialogRef, inputRef, props.onCancel);
  const matches = props.accepts ? props.accepts(typed) : confirmsDevice(typed, props.device);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    e.stopPropagation(); // a dialog opened from a step's form must not submit that form too
    if (!matches || busy) return;
    setBusy(true);
    setError(undefined);
    const refused = await props.onConfirm(typed);
    // On success the parent closes the dialog; on a refusal it stays, with main's reason.
    if (refused) {
      setError(refused);
      setBusy(false);
    }
  };

  return (
    <div className="backdrop">
      <form
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={dialogRef}
        onSubmit={(e) => void submit(e)}
      >
        <h2 id={titleId}>{props.title}</h2>
        <div className="dialog-body">{props.children}</div>
        <div className="field">
          <label htmlFor={inputId}>
            Type <code>{props.device}</code> to confirm
          </label>
          <input
            id={inputId}
            ref={inputRef}
            name="typed-device"
            type="text"
            spellCheck={false}
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        </div>
        {error && <ErrorBox error={error} />}
        <div className="actions">
          {props.alternative}
          <button type="button" className="secondary" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={!matches || busy}>
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </div>
  );
}
