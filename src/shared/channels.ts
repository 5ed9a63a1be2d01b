// Channel names and the fixed list of API entries, free of any dependency: the sandboxed preload imports this
// file and may only require 'electron' at run time, so nothing here may pull in zod or node modules.

export const API_METHODS = [
  'getSettings',
  'saveSettings',
  'listDrives',
  'startJob',
  'cancelJob',
  'getJob',
  'listBackups',
  'getWizardState',
  'saveWizardState',
  'resetWizard',
  'getFreeSpace',
  'pickPath',
] as const;

export type ApiMethodName = (typeof API_METHODS)[number];

export const IPC_PREFIX = 'kintsugi:';
export const JOB_EVENT_CHANNEL = 'kintsugi:job-event';
export const channelFor = (method: ApiMethodName): string => `${IPC_PREFIX}${method}`;
