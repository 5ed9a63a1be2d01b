// The schedule: a weekly docs & scripts pull and a monthly model verify, as systemd timers or cron entries. Never
// an automatic model pull or framework install: those change what runs and cost bandwidth, so a person starts them.

export type SchedulerKind = 'systemd' | 'cron';

export interface ScheduledTask {
  /** kintsugi-repo-pull, kintsugi-models-verify */
  name: string;
  /** systemd OnCalendar= or the cron fields. */
  when: string;
  /** The command as run (argv). */
  command: string[];
  installed: boolean;
  /** The files that carry it. */
  files: string[];
}

export interface ScheduleState {
  kind: SchedulerKind;
  /** The folder the units (or the cron.d file) live in. */
  dir: string;
  tasks: ScheduledTask[];
}

export interface ScheduleChange extends ScheduleState {
  /** Whether systemctl was asked to (re)load and enable/disable the timers (only for the real unit folder on a
   * running systemd); otherwise why not. */
  activated: boolean;
  note?: string;
}
