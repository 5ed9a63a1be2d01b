import type { LayerAttention } from '../shared/layer-attention';
import { osBadge } from '../shared/os/badge';
import type { OsBadge } from '../shared/os/contract';
import type { KintsugiApi } from '../shared/registry';
import type { JobRunner } from './core/jobs/job-runner';
import type { OsStateStore } from './core/os/state-store';
import { gatherLayerAttention } from './tray-layers';
import { overdueNotice, trayStateFrom, updatesNotice, type TrayNotice, type TrayState } from './tray-state';

// Keeps the tray true: job events redraw at once from what is cached (progress comes up to 10 times a second:
// no file reads there); a job's end, a background check and the start re-read the OS record and the layers,
// then announce what is new (once: the keys are saved in os.json before anything else reads them).

export interface TraySink {
  show(state: TrayState): void;
  notify(notice: TrayNotice): void;
}

export interface TrayFeed {
  /** Re-read the OS record and the layers, redraw, announce what is new. */
  refresh(): Promise<void>;
  stop(): void;
}

export function feedTray(opts: {
  sink: TraySink;
  runner: JobRunner;
  store: OsStateStore;
  api: KintsugiApi;
  now?: () => Date;
}): TrayFeed {
  const now = opts.now ?? (() => new Date());
  let os: OsBadge | undefined;
  let layers: LayerAttention[] = [];
  const draw = () => opts.sink.show(trayStateFrom(opts.runner.running(), { ...(os ? { os } : {}), layers }));

  let pending: Promise<void> | undefined;
  async function reread(): Promise<void> {
    await opts.store.idle(); // a job's outcome is being recorded: read it, not the state before it
    const [record, gathered] = await Promise.all([opts.store.load(), gatherLayerAttention(opts.api)]);
    os = osBadge(record, now());
    layers = gathered;
    draw();
    const notices = [
      updatesNotice(record.state, record.notifiedKey),
      overdueNotice(os, record.lastSuccessAt ?? record.lastCheck?.at, record.overdueWarnedKey),
    ];
    const [updates, overdue] = notices;
    if (!updates && !overdue) return;
    // Saved first: a crash after showing must not show it again, a crash before may (better twice than never).
    await opts.store.update((r) => ({
      ...r,
      ...(updates ? { notifiedKey: updates.key } : {}),
      ...(overdue ? { overdueWarnedKey: overdue.key } : {}),
    }));
    for (const n of notices) if (n) opts.sink.notify(n);
  }
  // One re-read at a time; a request during one runs once more after it (the last event must be seen).
  let again = false;
  function refresh(): Promise<void> {
    if (pending) {
      again = true;
      return pending;
    }
    pending = reread()
      .catch(() => undefined)
      .finally(() => {
        pending = undefined;
        if (again) {
          again = false;
          void refresh();
        }
      });
    return pending;
  }

  const off = opts.runner.onEvent((e) => {
    draw();
    if (e.type === 'done' || e.type === 'failed') void refresh();
  });
  return { refresh, stop: off };
}
