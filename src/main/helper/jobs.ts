import { jobsOnHost, type JobTypeOn } from '../../shared/registry';

/**
 * The only jobs the privileged helper runs: those declared with host 'helper' (src/shared/<domain>/contract.ts).
 * Each has its authorizer in authorize.ts (a missing one is a type error). image-check needs no root;
 * find-persistence is no job at all: it would have root mount whatever file a caller names.
 */
export type HelperJobType = JobTypeOn<'helper'>;
export const HELPER_JOBS = jobsOnHost('helper') as ReadonlySet<HelperJobType>;

export function isHelperJob(type: string): type is HelperJobType {
  return (HELPER_JOBS as ReadonlySet<string>).has(type);
}
