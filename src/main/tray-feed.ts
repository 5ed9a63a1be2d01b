import type { LayerAttention } from '../shared/layer-attention';
import { osBadge } from '../shared/os/badge';
import type { OsBadge } from '../shared/os/contract';
import { domainOfJob, type KintsugiApi } from '../shared/registry';
import type { JobRunner } from './core/jobs/job-runner';
import type { OsStateStore } from './core/os/state-store';
import { ALL_LAYERS, gatherLayerAttention, layersTouchedBy, type Layer } from './tray-layers';
import { overdueNotice, trayStateFrom, updatesNotice, type TrayNotice, type TrayState } from './tray-state';

// Keeps the tray true: job events redraw at once from what is cached (progress comes up to 10 times a second:
// no file reads there); the start and a background check re-read the OS record and every layer, a job's end the
// OS record and the layers its domain touches (tray-layers.ts); then what is new is announced (once: the keys are
// saved in os.json before anything else reads them).

export interface TraySink {
  show(state: TrayState): void;
  notify(notice: TrayNotice): void;
}

export interface TrayFeed {
  /** Re-read the OS record and these layers (all by default), redraw, announce what is new. */
  refresh(layers?: readonly Layer[]): Promise<void>;
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
  const layers = new Map<Layer, LayerAttention | undefined>();
  const draw = () =>
    opts.sink.show(
      trayStateFrom(opts.runner.running(), {
        ...(os ? { os } : {}),
        layers: ALL_LAYERS.map((l) => layers.get(l)).filter((a): a is LayerAttention => a !== undefined),
      }),
    );

  let pending: Promise<void> | undefined;
  async function reread(which: readonly Layer[]): Promise<void> {
    await opts.store.idle(); // a job's outcome is being recorded: read it, not the state before it
    const [record, gathered] = await Promise.all([opts.store.load(), gatherLayerAttention(opts.api, which)]);
    os = osBadge(record, now());
    for (const [l, a] of gathered) layers.set(l, a);
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
  // One re-read at a time; requests during one run once more after it, for every layer they asked for (the last
  // event must be seen).
  const again = new Set<Layer>();
  let againRequested = false;
  function refresh(which: readonly Layer[] = ALL_LAYERS): Promise<void> {
    if (pending) {
      againRequested = true;
      for (const l of which) again.add(l);
      return pending;
    }
    pending = reread(which)
      .catch(() => undefined)
      .finally(() => {
        pending = undefined;
        if (againRequested) {
          const next = [...again];
          again.clear();
          againRequested = false;
          void refresh(next);
        }
      });
    return pending;
  }

  const off = opts.runner.onEvent((e) => {
    draw();
    if (e.type === 'done' || e.type === 'failed') void refresh(layersTouchedBy(domainOfJob(e.jobType)));
  });
  return { refresh, stop: off };
}
