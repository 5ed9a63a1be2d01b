import { useId } from 'react';
import type { PickPurpose } from '../../../shared/app/contract';
import { useStore } from '../../app/store';
import { api } from '../api';

/** A path text field with a Browse button (the native chooser in the app). */
export function PathField(props: {
  label: string;
  value: string | undefined;
  purpose: PickPurpose;
  onChange(value: string | undefined): void;
  /** Called when the user is done with the field (it loses focus, Enter, or a path picked with Browse): the moment
   * to save a setting, rather than on every keystroke. */
  onCommit?(value: string | undefined): void;
  placeholder?: string;
  optional?: boolean;
  name: string;
}) {
  const id = useId();
  const setError = useStore((s) => s.setError);
  const browse = async () => {
    try {
      const picked = await api().app.pickPath({ purpose: props.purpose });
      if (picked) {
        props.onChange(picked);
        props.onCommit?.(picked);
      }
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>
        {props.label}
        {props.optional && <span className="optional"> (optional)</span>}
      </label>
      <div className="path-row">
        <input
          id={id}
          name={props.name}
          type="text"
          spellCheck={false}
          value={props.value ?? ''}
          placeholder={props.placeholder}
          onChange={(e) => props.onChange(e.target.value.trim() === '' ? undefined : e.target.value)}
          onBlur={(e) => props.onCommit?.(e.target.value.trim() === '' ? undefined : e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && props.onCommit) {
              e.preventDefault();
              props.onCommit(e.currentTarget.value.trim() === '' ? undefined : e.currentTarget.value);
            }
          }}
        />
        <button
          type="button"
          className="secondary"
          onClick={() => void browse()}
          aria-label={`Browse for ${props.label}`}
        >
          Browse…
        </button>
      </div>
    </div>
  );
}
