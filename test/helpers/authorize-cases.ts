import { resolveTargetDrive } from '../../src/main/core/drives/resolve-target';
import type { ParsedJobRequest } from '../../src/main/core/jobs/request';
import { authorizeHelperJob, type AuthorizeContext } from '../../src/main/helper/authorize';
import { KintsugiError } from '../../src/shared/errors';

// What the helper's authorizer tests share: the two callers (root, and a desktop user — nobody — as pkexec
// names them) and the refusal a case expects. These suites run as root, so they can give files any owner.

export const NOBODY = 65534;
export const asRoot: AuthorizeContext = { uid: 0, checkDrive: resolveTargetDrive };
export const asNobody: AuthorizeContext = { uid: NOBODY, checkDrive: resolveTargetDrive };

/** The error the authorizer refuses JOB with; fails the test when it is accepted or throws something else. */
export async function refusal(
  job: unknown,
  ctx: AuthorizeContext,
): Promise<{ code: string; detail: string; hint: string | undefined }> {
  try {
    await authorizeHelperJob(job as ParsedJobRequest, ctx);
  } catch (err) {
    if (!(err instanceof KintsugiError)) throw err;
    return { code: err.code, detail: err.detail ?? '', hint: err.hint };
  }
  throw new Error(`expected a refusal of ${JSON.stringify(job)}`);
}
