import type { KernelStatus } from './contract';

// What the kernel page offers for one host, as pure readings of main's answers (status) and the jobs this page
// started (here in shared so the unit tests reach it; only the renderer uses it). Main and the helper decide what
// is allowed; these only keep the buttons honest (no rollback when nothing is recorded, nothing while a job of
// this host runs) and pick the one primary action.

export type KernelAction = 'promote' | 'build' | 'install' | 'rollback';

export interface HostButtons {
  promote: boolean;
  build: boolean;
  install: boolean;
  rollback: boolean;
  primary: KernelAction;
}

/**
 * `running`: a kernel job of this host is running (one at a time per host: a build reads the promoted patch, an
 * install the package). `done`: the actions that finished this session, newest state of the pipeline.
 */
export function hostButtons(
  status: Pick<KernelStatus, 'state' | 'overdue'> | undefined,
  running: boolean,
  done: ReadonlySet<KernelAction>,
): HostButtons {
  const recorded = status !== undefined && status.state !== 'not-installed' && status.state !== 'rolled-back';
  const primary: KernelAction = status?.overdue
    ? 'rollback'
    : done.has('build')
      ? 'install'
      : done.has('promote')
        ? 'build'
        : 'promote';
  return {
    promote: !running,
    build: !running,
    // Status unread (or unreadable): main's record is unknown, so nothing is installed over it from here.
    install: !running && status !== undefined,
    rollback: !running && recorded,
    primary,
  };
}

const STATE_WORDS: Record<KernelStatus['state'], string> = {
  'not-installed': 'No kernel installed by Kintsugi',
  installed: 'Installed, not finished',
  'pending-heartbeat': 'Waiting for the heartbeat',
  confirmed: 'Confirmed: the new kernel booted',
  'rolled-back': 'Rolled back',
};

/** The heartbeat line: the state, and for a pending one its deadline (or how long it is overdue). */
export function heartbeatText(s: Pick<KernelStatus, 'state' | 'overdue' | 'deadline'>, now: number): string {
  const words = STATE_WORDS[s.state];
  if (s.state !== 'pending-heartbeat' || !s.deadline) return words;
  const due = Date.parse(s.deadline);
  const mins = Math.round(Math.abs(due - now) / 60_000);
  const span = mins < 1 ? 'less than a minute' : `${mins} min`;
  return s.overdue || due < now
    ? `Heartbeat overdue by ${span} (due ${s.deadline}): the new kernel may not have booted`
    : `${words}: due by ${s.deadline} (in ${span})`;
}
