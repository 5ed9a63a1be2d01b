// Progress is one shape for every domain: { kind: <domain>, phase, ... }, each domain owning its phases. Producers
// report as often as they like; the job runner (core/jobs/job-runner.ts) sends at most 10 events per second per
// job, and every phase's first and last. Speeds are bytes per second over the last ~2 s; eta is seconds, absent
// when unknown. The job event around it carries the job type.

export interface ProgressPhases {
  image: 'download' | 'checksum' | 'signature' | 'decompress-test';
  flash: 'write' | 'verify';
  /** Both the backup and the restore job report copy, then verify. */
  backup: 'copy' | 'verify';
  reflash: ReflashStep;
  frameworks: 'install' | 'verify' | 'rollback' | 'uninstall';
  /** The toolkit clone: git's own phases (fetch, clone) and the link step. */
  repo: 'fetch' | 'clone' | 'link';
  /** Layer 2: a pull (Hugging Face file or Ollama layers), the sha256 check after it, a verify, a remove. */
  models: 'pull' | 'checksum' | 'verify' | 'remove';
  /** OS updates: refresh metadata, list, download, the two apt install phases, boot hooks, ostree deploy. */
  os:
    | 'refresh'
    | 'check'
    | 'download'
    | 'userspace'
    | 'kernel'
    | 'hooks'
    | 'deploy'
    | 'rollback'
    | 'pin'
    | 'wait';
  /** The kernel pipeline: promote, build, back up the replaced kernel, install, roll back. */
  kernel: 'promote' | 'validate' | 'build' | 'publish' | 'backup' | 'install' | 'triggers' | 'rollback';
}

export interface ProgressFields {
  bytes?: number;
  total?: number;
  speed?: number;
  eta?: number;
  /** Files, packages, models... whatever the domain counts. */
  items?: number;
  itemsTotal?: number;
  message?: string;
}

export type ProgressKind = keyof ProgressPhases;

export type Progress = {
  [K in ProgressKind]: { kind: K; phase: ProgressPhases[K] } & ProgressFields;
}[ProgressKind];

export type ProgressOf<K extends ProgressKind> = Extract<Progress, { kind: K }>;

export const REFLASH_STEPS = ['image', 'drive', 'backup', 'flash', 'restore', 'done'] as const;
export type ReflashStep = (typeof REFLASH_STEPS)[number];

/** Rate fields as the meters produce them (core/jobs/progress-meter.ts). */
export interface RateFields {
  bytes: number;
  total?: number;
  speed: number;
  eta?: number;
}
