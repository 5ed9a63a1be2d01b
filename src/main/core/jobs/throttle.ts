// At most `perSecond` calls get through; the last value is always delivered by flush() so a job's final
// progress is never swallowed.

export function throttle<T>(
  emit: (value: T) => void,
  perSecond = 10,
  now: () => number = () => performance.now(),
) {
  const gap = 1000 / perSecond;
  let last = -Infinity;
  let pending: { value: T } | undefined;
  return {
    push(value: T) {
      const t = now();
      if (t - last >= gap) {
        last = t;
        pending = undefined;
        emit(value);
      } else {
        pending = { value };
      }
    },
    flush() {
      if (pending) {
        emit(pending.value);
        pending = undefined;
        last = now();
      }
    },
  };
}
