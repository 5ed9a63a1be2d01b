import type { PickPurpose } from '../../../src/shared/app/contract';

/**
 * A stand-in for the native file chooser (Electron's dialog.showOpenDialog cannot run here): the test queues the
 * path the "user picks" for each purpose; an empty queue means the user cancelled.
 */
export class PickPathStandIn {
  private readonly queued = new Map<PickPurpose, string[]>();
  readonly asked: PickPurpose[] = [];

  willPick(purpose: PickPurpose, path: string): void {
    this.queued.set(purpose, [...(this.queued.get(purpose) ?? []), path]);
  }

  pick = async (purpose: PickPurpose): Promise<string | null> => {
    this.asked.push(purpose);
    const q = this.queued.get(purpose) ?? [];
    return q.shift() ?? null;
  };
}
