import { z } from 'zod';

// The building blocks every domain declares itself with. A domain lists its API methods (what the renderer may
// call) and its jobs (long work with progress and cancel) ONCE; src/shared/registry.ts composes the domains and
// everything else (IPC channels, the preload's named functions, the job union, the host whitelists, the dispatch
// table's shape, the KintsugiApi type) is derived from that.

/** Where a job runs. main: light work in the app process; utility: heavy unprivileged work (hashing, downloads,
 * git) in a child process; helper: root verbs whose every parameter the privileged helper checks itself. */
export type JobHost = 'main' | 'utility' | 'helper';

export interface MethodSpec<A extends z.ZodTuple = z.ZodTuple, R = unknown> {
  args: A;
  result: z.ZodType<R>;
}

export interface JobSpec<P extends z.ZodType = z.ZodType, R = unknown> {
  params: P;
  result: z.ZodType<R>;
  host: JobHost;
  /** A short noun phrase for lists and logs ("Flash a drive"). */
  title: string;
}

export const method = <A extends z.ZodTuple, R>(args: A, result: z.ZodType<R>): MethodSpec<A, R> => ({
  args,
  result,
});

/** The host stays a literal type, so each host's job types can be derived (JobTypeOn in registry.ts). */
export const job = <P extends z.ZodType, R, H extends JobHost>(
  spec: JobSpec<P, R> & { host: H },
): JobSpec<P, R> & { host: H } => spec;

/**
 * A result produced by our own code on the other side of the call: typed for the caller, not re-parsed (the
 * producer built it from validated input). Inputs, never results, are where the trust boundary is.
 */
export const produced = <T>(): z.ZodType<T> => z.custom<T>(() => true);

export type MethodsOf = Record<string, MethodSpec>;
export type JobsOf = Record<string, JobSpec>;

export interface DomainSpec<M extends MethodsOf = MethodsOf, J extends JobsOf = JobsOf> {
  methods: M;
  jobs: J;
}

export const domain = <M extends MethodsOf, J extends JobsOf = Record<never, JobSpec>>(spec: {
  methods: M;
  jobs?: J;
}): DomainSpec<M, J> => ({ methods: spec.methods, jobs: (spec.jobs ?? {}) as J });

/** The function a method becomes on window.kintsugi.<domain>: its args in, a promise of its result out. */
export type MethodFn<S> =
  S extends MethodSpec<infer A, infer R> ? (...args: Extract<z.input<A>, unknown[]>) => Promise<R> : never;

export type DomainApi<D extends DomainSpec> = { [M in keyof D['methods']]: MethodFn<D['methods'][M]> };
