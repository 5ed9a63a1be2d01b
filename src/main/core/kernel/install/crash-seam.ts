// TEST SEAM: stops a pipeline as if the process had died at that point, after the step's checkpoint was saved
// ('after:<step>') or half-way through the package manager ('within:install': dpkg --unpack done, --configure
// never run). Only tests pass it; no CLI option or environment variable reaches it.

export type CrashPoint =
  | 'after:backup'
  | 'after:install'
  | 'after:triggers'
  | 'within:install'
  | 'after:rollback-package'
  | 'after:restore-files';

export class SimulatedCrash extends Error {
  constructor(readonly at: CrashPoint) {
    super(`simulated crash at ${at} (test seam)`);
    this.name = 'SimulatedCrash';
  }
}

export function crashIf(wanted: CrashPoint | undefined, here: CrashPoint): void {
  if (wanted === here) throw new SimulatedCrash(here);
}
