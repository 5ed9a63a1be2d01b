// Speed over a sliding window (~2 s) and the ETA that follows from it. Pure: the clock is injected.

export interface RateSnapshot {
  bytes: number;
  total?: number;
  speed: number; // bytes per second over the window
  eta?: number; // seconds
}

export class ProgressMeter {
  private samples: { t: number; bytes: number }[] = [];

  constructor(
    private readonly total: number | undefined,
    private readonly windowMs = 2000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  update(bytes: number): RateSnapshot {
    const t = this.now();
    // Producers call this for every chunk (thousands of times a second); one sample per 1/20 of the window is
    // plenty, and keeps the window's array (and the shift below) small. Closer samples replace the newest one.
    const n = this.samples.length;
    if (n >= 2 && this.samples[n - 1]!.t - this.samples[n - 2]!.t < this.windowMs / 20)
      this.samples[n - 1] = { t, bytes };
    else this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[1]!.t >= this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const dt = (t - first.t) / 1000;
    const speed = dt > 0 ? Math.max(0, (bytes - first.bytes) / dt) : 0;
    const snapshot: RateSnapshot = { bytes, speed };
    if (this.total !== undefined) {
      snapshot.total = this.total;
      if (speed > 0) snapshot.eta = Math.max(0, (this.total - bytes) / speed);
    }
    return snapshot;
  }
}
