import { z } from 'zod';
import { absolutePath } from '../../../shared/paths';
import { loadJsonFile, saveJsonFile } from '../util/json-file';

// The ledger of drives a reflash has written to. It outlives the flow's state (Start over, a second `kintsugi
// reflash`, a crash): before the first byte of a flash, the drive is entered here with the verified backup taken
// from it. While the entry is open, a later flow on the same drive never backs the (half-)written drive up as if
// it were the user's data, and restores from the backup named here. The entry settles when the drive is whole
// again and nothing is owed: the backup restored and verified, or a verified flash with no backup to restore, or
// a verified flash whose restore the user gave up by name (Start over). An interrupted or failed flash never
// settles it: that drive holds part of an image, whatever happens next.

const entry = z.strictObject({
  device: absolutePath,
  backupPath: absolutePath.optional(),
  backupFiles: z.number().int().nonnegative().optional(),
  writtenAt: z.string(),
  /** When nothing was owed any more, and why. */
  settledAt: z.string().optional(),
  settled: z.enum(['restored', 'no-backup', 'restore-abandoned']).optional(),
  /** The image last written to it (a second write replaces it), with when: the home page's "version on the drive". */
  image: z
    .strictObject({ name: z.string().max(4096), version: z.string().max(200).optional(), at: z.string() })
    .optional(),
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

  /** An entry still open: the drive was written and something is owed (a restore, or a complete image). */
  async pending(key: string): Promise<LedgerEntry | undefined> {
    const e = await this.get(key);
    return e && !e.settledAt ? e : undefined;
  }

  async markWritten(
    key: string,
    e: Pick<LedgerEntry, 'device' | 'backupPath' | 'backupFiles'>,
    image?: { name: string; version?: string },
  ): Promise<void> {
    const drives = await this.load();
    const previous = drives[key];
    const now = new Date().toISOString();
    // A second write before the restore keeps the first backup: it is the user's data, the drive is not.
    const keep = previous && !previous.settledAt && previous.backupPath ? previous : undefined;
    drives[key] = {
      ...(keep ?? { ...e, writtenAt: now }),
      ...(image ? { image: { ...image, at: now } } : {}),
    };
    await saveJsonFile(this.path, { drives });
  }

  /** The entry whose image was written last, if any. */
  async lastImage(): Promise<LedgerEntry | undefined> {
    let last: LedgerEntry | undefined;
    for (const e of Object.values(await this.load()))
      if (e.image && (!last?.image || e.image.at > last.image.at)) last = e;
    return last;
  }

  async settle(key: string, why: NonNullable<LedgerEntry['settled']>): Promise<void> {
    const drives = await this.load();
    const e = drives[key];
    if (!e || e.settledAt) return;
    drives[key] = { ...e, settledAt: new Date().toISOString(), settled: why };
    await saveJsonFile(this.path, { drives });
  }
}
