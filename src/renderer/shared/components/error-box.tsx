import type { UiError } from '../errors';

/** An error as the user sees it: message and next step; the technical detail stays folded. Never a stack. */
export function ErrorBox({ error, onDismiss }: { error: UiError; onDismiss?: () => void }) {
  return (
    <div className="error-box" role="alert" data-code={error.code}>
      <p className="error-message">{error.message}</p>
      {error.hint && <p className="error-hint">{error.hint}</p>}
      {error.detail && (
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
