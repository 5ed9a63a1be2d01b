import { KintsugiError } from '../../shared/errors';

// The user the helper acts for. Root may read and write anything, so every path a request names is judged by
// "could this user do that themselves?", and that needs the user's uid, not root's:
// - Started through pkexec: PKEXEC_UID. pkexec clears the environment and then sets it to the uid of the process
//   that ran pkexec, so the caller cannot choose it.
// - Started directly (launch.ts, when the app is already root): the parent acts as itself, so the helper's own
//   uid. A root parent that sets PKEXEC_UID (say it was itself started by pkexec) acts for that user instead, which
//   is only ever stricter.

export function invokingUid(env: NodeJS.ProcessEnv, ownUid: number): number {
  const raw = env.PKEXEC_UID;
  if (raw === undefined) return ownUid;
  // Fail closed: a garbled value must not fall back to root.
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > 0xfffffffe)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `PKEXEC_UID is not a uid: ${JSON.stringify(raw.slice(0, 40))}`,
    );
  return Number(raw);
}
