// What the schedule runs, and when: the guide's weekly docs & scripts pull and monthly model verify. This list is
// the whole of it: adding a task here is the only way a timer ever runs something.

export interface TaskSpec {
  name: 'kintsugi-repo-pull' | 'kintsugi-models-verify';
  description: string;
  /** kintsugi's arguments after the global ones. */
  args: string[];
  /** systemd OnCalendar= value. */
  onCalendar: 'weekly' | 'monthly';
  /** The same moment for cron: minute hour day-of-month month day-of-week. */
  cron: string;
  /** Whether it downloads (then it needs the network up first). */
  network: boolean;
}

export const SCHEDULED_TASKS: readonly TaskSpec[] = [
  {
    name: 'kintsugi-repo-pull',
    description: 'Kintsugi: pull the docs & scripts (fast-forward only)',
    args: ['repo', 'pull'],
    onCalendar: 'weekly',
    cron: '17 4 * * 1',
    network: true,
  },
  {
    name: 'kintsugi-models-verify',
    description: 'Kintsugi: verify the installed models (no download)',
    args: ['models', 'verify'],
    onCalendar: 'monthly',
    cron: '37 4 1 * *',
    network: false,
  },
];

/** The full argv a task runs: the kintsugi command, the data root, then the task's own arguments. */
export const taskArgv = (kintsugi: readonly string[], dataRoot: string, t: TaskSpec): string[] => [
  ...kintsugi,
  '--data-root',
  dataRoot,
  ...t.args,
];
