import type { Settings } from '../../../shared/app/settings';
import { OS_LOCK_TIMEOUT_DEFAULT, type OsTargetParams } from '../../../shared/os/contract';

// Main's own idea of which system it updates: this machine (/), unless whoever built the services said otherwise
// (the e2e harness's throwaway root). Never from the page; the backend name may come from the settings.

export interface OsTargetConfig {
  root: string;
  sysroot: string;
  osName?: string;
  lockTimeoutSeconds: number;
}

export const THIS_MACHINE: OsTargetConfig = {
  root: '/',
  sysroot: '/',
  lockTimeoutSeconds: OS_LOCK_TIMEOUT_DEFAULT,
};

/** The target of a job main starts: its config plus the backend the settings force, if any. */
export function targetParams(config: OsTargetConfig, settings: Pick<Settings, 'osBackend'>): OsTargetParams {
  return {
    ...config,
    ...(settings.osBackend && settings.osBackend !== 'auto' ? { backend: settings.osBackend } : {}),
  };
}
