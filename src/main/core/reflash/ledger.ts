import { z } from 'zod';
import { absolutePath } from '../../../shared/paths';
import { loadJsonFile, saveJsonFile } from '../util/json-file';

// The ledger of drives a reflash has written to. It outlives the flow's state (Start over, a second `kintsugi
// reflash`, a crash): before the first byte of a flash, the drive is entered here with the verified backup taken
// from it, and the entry is marked restored only once that backup is back and verified. A later flow on the same
// drive finds the entry, never backs the half-written drive up as if it were the user's data, and restores from
// the backup named here.

const entry = z.strictObject({
  device: absolutePath,
  backupPath: absolutePath.optional(),
  backupFiles: z.number().int().nonnegative().optional(),
  writtenAt: z.string(),
  restoredAt: z.string().optional(),
});
const ledgerSchema = z.strictObject({ drives: z.record(z.string(), entry).default({}) });

export type LedgerEntry = z.output<typeof entry>;

export class WrittenDrivesLedger {
  constructor(readonly path: string) {}

  private async load(): Promise<Record<string, LedgerEntry>> {
    return (await loadJsonFile(this.path, ledgerSchema, () => ({ drives: {} }))).value.drives;
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    return (await this.load())[key];
  }

  /** An entry that still waits for its backup to be restored. */
  async pending(key: string): Promise<LedgerEntry | undefined> {
    const e = await this.get(key);
    return e && !e.restoredAt ? e : undefined;
  }

  async markWritten(key: string, e: Omit<LedgerEntry, 'writtenAt' | 'restoredAt'>): Promise<void> {
    const drives = await this.load();
    const previous = drives[key];
    // A second write before the restore keeps the first backup: it is the user's data, the drive is not.
    const keep = previous && !previous.restoredAt && previous.backupPath ? previous : undefined;
    drives[key] = keep ?? { ...e, writtenAt: new Date().toISOString() };
    await saveJsonFile(this.path, { drives });
  }

  async markRestored(key: string): Promise<void> {
    const drives = await this.load();
    const e = drives[key];
    if (!e) return;
    drives[key] = { ...e, restoredAt: new Date().toISOString() };
    await saveJsonFile(this.path, { drives });
  }
}
