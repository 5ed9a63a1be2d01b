import { jobsOnHost } from '../../shared/registry';

/**
 * The jobs the CLI runs in a child process (device-host.ts): the ones that do device I/O, i.e. those declared
 * for the privileged helper. Everything else (image checks, journal reads) runs in the CLI's own process.
 */
const DEVICE_JOBS = jobsOnHost('helper');

export function isDeviceJob(type: string): boolean {
  return (DEVICE_JOBS as ReadonlySet<string>).has(type);
}
