// At most `perSecond` values get through; a value held back is delivered when its gap has passed even if nothing
// follows it (a download that stalls right after a burst still shows where it stopped), and flush() delivers the
// last value at once, so a job's final progress is never swallowed. With `keyOf`, a value whose key differs from the previous one (a new phase) is
// delivered at once, after the previous key's last value: no phase is ever reported late, or skipped because the
// next one began within the same tenth of a second.

export interface ThrottleOptions<T> {
  perSecond?: number;
  now?: () => number;
  keyOf?: (value: T) => string;
}

export function throttle<T>(emit: (value: T) => void, opts: ThrottleOptions<T> = {}) {
  const gap = 1000 / (opts.perSecond ?? 10);
  const now = opts.now ?? (() => performance.now());
  let last = -Infinity;
  let key: string | undefined;
  let pending: { value: T } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending) {
      emit(pending.value);
      pending = undefined;
      last = now();
    }
  };
  return {
    push(value: T) {
      const k = opts.keyOf?.(value);
      const t = now();
      if (k !== key) {
        flush();
        key = k;
      } else if (t - last < gap) {
        pending = { value };
        if (!timer) {
          timer = setTimeout(flush, Math.max(1, gap - (t - last)));
          timer.unref?.();
        }
        return;
      }
      last = t;
      pending = undefined;
      if (timer) clearTimeout(timer);
      timer = undefined;
      emit(value);
    },
    flush,
  };
}
