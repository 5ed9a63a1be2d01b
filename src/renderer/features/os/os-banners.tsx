import type { OsState } from '../../../shared/os/model';

/** Reboot required (with why: a staged deployment, the packages that asked) and an interrupted apply with its
 * fix: the two things on this page that need the person whatever else they came for. */
export function OsBanners(props: {
  state: OsState;
  canRepair: boolean;
  /** Repair is the page's primary action while an apply is unfinished. */
  primary: boolean;
  onRepair(): void;
}) {
  const { state } = props;
  return (
    <>
      {state.interrupted && (
        <div className="banner attention" role="alert">
          <p>
            <strong>An earlier update was interrupted</strong> and left the system half-updated:{' '}
            {state.interrupted.detail}
          </p>
          <p className="muted">The fix: {state.interrupted.fix}. Apply is held until it has run.</p>
          <button
            type="button"
            data-primary={props.primary ? '' : undefined}
            disabled={!props.canRepair}
            onClick={props.onRepair}
          >
            Repair
          </button>
        </div>
      )}
      {state.reboot.required && (
        <div className="banner" role="status">
          <p>
            <strong>Reboot required</strong> to use what was applied
            {state.reboot.why.length ? `: ${state.reboot.why.join(', ')}` : ''}.
          </p>
        </div>
      )}
    </>
  );
}
