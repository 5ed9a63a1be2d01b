import { headlineOf } from '../../../shared/errors';
import type { UiError } from '../errors';

/** An error as the user sees it: what is wrong and the next step, up front (for a bad value, the field and what it
 * must be); the technical detail stays folded. Never a stack. */
export function ErrorBox({ error, onDismiss }: { error: UiError; onDismiss?: () => void }) {
  const headline = headlineOf(error);
  return (
    <div className="error-box" role="alert" data-code={error.code}>
      <p className="error-message">{headline}</p>
      {error.hint && <p className="error-hint">{error.hint}</p>}
      {error.detail && error.detail !== headline && (
        <details>
          <summary>Details</summary>
          <code>{error.detail}</code>
        </details>
      )}
      {onDismiss && (
        <button type="button" className="link" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
