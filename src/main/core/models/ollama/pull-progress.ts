import { ProgressMeter } from '../../jobs/progress-meter';

// Ollama's pull stream reports one layer at a time (`pulling <digest>` with that layer's total/completed, ticked
// every 60 ms) and never a sum, and it only names a layer when it starts on it, so the total grows as the pull goes.
// This sums the layers seen so far: bytes and total never go down, also across re-posts (a resumed layer restarts
// from the bytes Ollama kept, which can be fewer than it last reported if a part was thrown away).

export interface PullLine {
  status?: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export interface PullSnapshot {
  bytes: number;
  total: number;
  speed: number;
  eta?: number;
  status: string;
}

export class PullProgress {
  private readonly layers = new Map<string, { total: number; completed: number }>();
  private readonly meter: ProgressMeter;
  private lastStatus = '';

  constructor(now?: () => number) {
    // No total for the meter: it grows; eta is worked out here from the speed.
    this.meter = new ProgressMeter(undefined, 2000, now);
  }

  /** Takes one stream line; returns true when it moved the pull on (more bytes, a new layer or a new status). */
  update(line: PullLine): boolean {
    const status = line.status ?? '';
    let moved = status !== this.lastStatus;
    this.lastStatus = status;
    if (line.digest) {
      const prev = this.layers.get(line.digest);
      const total = Math.max(prev?.total ?? 0, line.total ?? 0);
      const completed = Math.min(total, Math.max(prev?.completed ?? 0, line.completed ?? 0));
      if (!prev || completed > prev.completed || total > prev.total) moved = true;
      this.layers.set(line.digest, { total, completed });
    }
    return moved;
  }

  snapshot(): PullSnapshot {
    let bytes = 0;
    let total = 0;
    for (const l of this.layers.values()) {
      bytes += l.completed;
      total += l.total;
    }
    const { speed } = this.meter.update(bytes);
    const snap: PullSnapshot = { bytes, total, speed, status: this.lastStatus };
    if (speed > 0) snap.eta = Math.max(0, (total - bytes) / speed);
    return snap;
  }
}
