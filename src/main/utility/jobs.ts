import { jobsOnHost, type JobTypeOn } from '../../shared/registry';

/** The jobs the utility process runs: those declared with host 'utility' (heavy, unprivileged: hashing, downloads). */
export type UtilityJobType = JobTypeOn<'utility'>;
export const UTILITY_JOBS = jobsOnHost('utility') as ReadonlySet<UtilityJobType>;

export function isUtilityJob(type: string): type is UtilityJobType {
  return (UTILITY_JOBS as ReadonlySet<string>).has(type);
}
