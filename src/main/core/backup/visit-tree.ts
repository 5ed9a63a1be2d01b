// A tree walked folder by folder with up to `width` folders in flight (each one a round trip to the hash pool's
// workers: one at a time left them idle between replies). The order folders are visited in is not defined.

/**
 * Visits `first`, then every item the visits reveal, `width` at a time. A runner never rejects: the first
 * failure stops every runner and is thrown once all of them returned, so none is left running unawaited.
 */
export async function visitTree<T>(first: T, width: number, visit: (item: T) => Promise<T[]>): Promise<void> {
  const pending: T[] = [first];
  let failure: { error: unknown } | undefined;
  let running = 0;
  const runners: Promise<void>[] = [];
  const runner = async (): Promise<void> => {
    for (let next = pending.pop(); next !== undefined && !failure; next = pending.pop()) {
      try {
        pending.push(...(await visit(next)));
      } catch (error) {
        failure ??= { error };
        return;
      }
      // Items this one revealed are visited by more runners, up to the width.
      while (running < width && pending.length > 0) start();
    }
  };
  const start = () => {
    running++;
    runners.push(runner().finally(() => running--));
  };
  start();
  // Runners start others as items appear: wait for every one, the late ones included.
  for (let i = 0; i < runners.length; i++) await runners[i];
  if (failure) throw failure.error;
}
