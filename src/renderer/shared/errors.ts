import { ERROR_CATALOGUE, type ErrorCode, type ErrorPayload } from '../../shared/errors';

// What an error box shows: message, hint, and the technical detail folded. The cause chain (ErrorPayload.causes)
// is for the job log and never reaches the page; neither does a stack.

export type UiError = Pick<ErrorPayload, 'code' | 'message' | 'hint' | 'detail'>;

/** Anything an intent threw (the bridge throws {code, message, hint, detail}) as a UiError. */
export function toUiError(err: unknown): UiError {
  const e = err as Partial<UiError> | undefined;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    const out: UiError = { code: e.code, message: e.message };
    if (typeof e.hint === 'string') out.hint = e.hint;
    if (typeof e.detail === 'string') out.detail = e.detail;
    return out;
  }
  return {
    code: 'INTERNAL',
    message: ERROR_CATALOGUE.INTERNAL.message,
    hint: ERROR_CATALOGUE.INTERNAL.hint,
    detail: err instanceof Error ? err.message : String(err),
  };
}

export const hasCode = (err: UiError | undefined, code: ErrorCode): boolean => err?.code === code;
