// Job shapes, re-exported from the domains that declare them (src/shared/<domain>/contract.ts) and the registry
// that composes them. Kept as one import path for core.

export { imageCheckParams, type ImageCheckParams } from './image/contract';
export { flashParams, verifyDriveParams, type FlashParams, type VerifyDriveParams } from './flash/contract';
export {
  backupParams,
  restoreParams,
  type BackupParams,
  type BackupResult,
  type RestoreParams,
  type RestoreResult,
} from './backup/contract';
export {
  JOBS,
  JOB_TYPES,
  hostOf,
  jobRequest,
  jobsOnHost,
  type JobEvent,
  type JobParams,
  type JobRequest,
  type JobResult,
  type JobResults,
  type JobType,
  type ParsedJobRequest,
} from './registry';
export type { JobRecord, JobState } from './jobs/record';
