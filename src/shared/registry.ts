import { z } from 'zod';
import { appContract } from './app/contract';
import { backupContract } from './backup/contract';
import { drivesContract } from './drives/contract';
import type { ErrorPayload } from './errors';
import { flashContract } from './flash/contract';
import { frameworksContract } from './frameworks/contract';
import { imageContract } from './image/contract';
import type { DomainApi, JobHost, JobSpec } from './ipc/define';
import { jobsContract } from './jobs/contract';
import { kernelContract } from './kernel/contract';
import { modelsContract } from './models/contract';
import { osContract } from './os/contract';
import type { Progress } from './progress';
import { reflashContract } from './reflash/contract';
import { repoContract } from './repo/contract';
import { scheduleContract } from './schedule/contract';

// The one list of domains. Add a domain here (and its handler group in src/main/api, its job runners in
// src/main/core/<domain>/jobs.ts): the IPC channels, window.kintsugi.<domain>.<method>, the job union, the hosts'
// whitelists and the KintsugiApi type all follow from these declarations.

export const DOMAINS = {
  app: appContract,
  drives: drivesContract,
  image: imageContract,
  flash: flashContract,
  backup: backupContract,
  reflash: reflashContract,
  jobs: jobsContract,
  frameworks: frameworksContract,
  repo: repoContract,
  schedule: scheduleContract,
  models: modelsContract,
  os: osContract,
  kernel: kernelContract,
} as const;

export type Domains = typeof DOMAINS;
export type DomainName = keyof Domains;

export type KintsugiApi = { [D in DomainName]: DomainApi<Domains[D]> };

/** [domain, method] for every API entry, in declaration order. */
export const API_ENTRIES: ReadonlyArray<readonly [DomainName, string]> = (
  Object.keys(DOMAINS) as DomainName[]
).flatMap((d) => Object.keys(DOMAINS[d].methods).map((m) => [d, m] as const));

// ---- jobs ----

type AllJobs = { [D in DomainName]: Domains[D]['jobs'] }[DomainName];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
export type JobSpecs = UnionToIntersection<AllJobs>;

export const JOBS = Object.assign({}, ...Object.values(DOMAINS).map((d) => d.jobs)) as JobSpecs;

export type JobType = keyof JobSpecs & string;
export const JOB_TYPES = Object.keys(JOBS) as JobType[];

type SpecOf<T extends JobType> =
  JobSpecs[T] extends JobSpec<infer P, infer R> ? { params: P; result: R } : never;
export type JobParams<T extends JobType> = z.output<SpecOf<T>['params']>;
export type JobParamsInput<T extends JobType> = z.input<SpecOf<T>['params']>;
export type JobResult<T extends JobType> = SpecOf<T>['result'];
export type JobResults = { [T in JobType]: JobResult<T> };

export type JobRequest = { [T in JobType]: { type: T; params: JobParamsInput<T> } }[JobType];
export type ParsedJobRequest = { [T in JobType]: { type: T; params: JobParams<T> } }[JobType];

/** Every job request, validated: the type must be a declared job, its params must pass that job's schema. */
export const jobRequest = z.discriminatedUnion(
  'type',
  JOB_TYPES.map((type) =>
    z.strictObject({ type: z.literal(type), params: JOBS[type].params }),
  ) as unknown as [z.ZodObject<{ type: z.ZodLiteral<string>; params: z.ZodType }>],
) as unknown as z.ZodType<ParsedJobRequest, JobRequest>;

export const hostOf = (type: JobType): JobHost => JOBS[type].host;

/** The job types domain D declares. */
export type JobTypeOf<D extends DomainName> = keyof Domains[D]['jobs'] & JobType;

/** The domains that declare at least one job. */
export type DomainWithJobs = { [D in DomainName]: JobTypeOf<D> extends never ? never : D }[DomainName];

const DOMAIN_OF_JOB = new Map<string, DomainWithJobs>(
  (Object.keys(DOMAINS) as DomainName[]).flatMap((d) =>
    Object.keys(DOMAINS[d].jobs).map((t) => [t, d as DomainWithJobs] as const),
  ),
);

/** The domain that declares job TYPE (a parsed request's type is always declared). */
export const domainOfJob = (type: JobType): DomainWithJobs => DOMAIN_OF_JOB.get(type)!;

/** The job types declared to run on host H. */
export type JobTypeOn<H extends JobHost> = {
  [T in JobType]: JobSpecs[T] extends { host: H } ? T : never;
}[JobType];

/** The job types one host runs: its whitelist, derived from the declarations. */
export const jobsOnHost = (host: JobHost): ReadonlySet<JobType> =>
  new Set(JOB_TYPES.filter((t) => JOBS[t].host === host));

// ---- events ----

type EventBody<T extends JobType> =
  /** A job began (any page, the tray, a flow may be listening for jobs it did not start). */
  | { type: 'started'; title: string; flow?: string }
  | { type: 'progress'; progress: Progress }
  /** detail: a line for the job's log file (a tool's stderr), not for a progress view. */
  | { type: 'log'; message: string; detail?: true }
  | { type: 'done'; result: JobResult<T> }
  | { type: 'failed'; error: ErrorPayload };

/** What a job tells its subscribers. Carries its job type, so a 'done' result is typed. */
export type JobEvent = { [T in JobType]: { jobId: string; jobType: T } & EventBody<T> }[JobType];

/** What the preload puts on window.kintsugi: the API plus the job event subscription. */
export type KintsugiBridge = KintsugiApi & {
  onJobEvent(listener: (event: JobEvent) => void): () => void;
};
