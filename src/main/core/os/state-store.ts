import { join } from 'node:path';
import { z } from 'zod';
import type { OsCheckOutcome, OsOverview } from '../../../shared/os/contract';
import type { OsState } from '../../../shared/os/model';
import { loadJsonFile, saveJsonFile } from '../util/json-file';

// What main (and the CLI, under its --state-dir) remembers of the OS between runs, in `os.json` of its own state
// dir, written atomically: the last state any OS job or status read returned, how the last check ended, when one
// last succeeded, when the scheduler last tried, and the update set the person was last told about (the tray
// notifies once per new set, never once per check). A damaged file is moved aside and the app starts fresh.
// Written without fsync (atomic rename only): a killed process leaves the old record or the new one; a power cut
// may bring back the previous one, which costs at most a repeated notice, and the next check rewrites the rest.
// An fsync here would protect nothing and sit between every `kintsugi os check` and its exit.

const outcomeSchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  error: z.object({ code: z.string(), message: z.string(), detail: z.string().optional() }).optional(),
  by: z.enum(['background', 'user']),
});

const recordSchema = z.object({
  // The backends' own answer, kept as it came; the readers only need it to be an object with updates.
  state: z
    .custom<OsState>(
      (v) => typeof v === 'object' && v !== null && Array.isArray((v as { updates?: unknown }).updates),
    )
    .optional(),
  stateFrom: z.enum(['check', 'status', 'apply', 'rollback', 'pin', 'repair']).optional(),
  lastCheck: outcomeSchema.optional(),
  lastSuccessAt: z.string().optional(),
  /** When the scheduler last started a background check (or skipped one for a metered network). */
  lastAttemptAt: z.string().optional(),
  notifiedKey: z.string().optional(),
  /** The stretch without a successful check the tray last warned about (tray-state.ts overdueNotice). */
  overdueWarnedKey: z.string().optional(),
});

export type OsRecord = z.output<typeof recordSchema>;
export type OsStateSource = NonNullable<OsOverview['stateFrom']>;

export class OsStateStore {
  readonly path: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(stateDir: string) {
    this.path = join(stateDir, 'os.json');
  }

  async load(): Promise<OsRecord> {
    return (await loadJsonFile(this.path, recordSchema, () => ({}))).value;
  }

  /** One read-modify-write at a time: a check ending while the tray saves its notified key keeps both. */
  update(change: (r: OsRecord) => OsRecord): Promise<OsRecord> {
    const run = this.chain
      .catch(() => undefined)
      .then(async () => {
        const next = change(await this.load());
        await saveJsonFile(this.path, next, { durable: false });
        return next;
      });
    this.chain = run;
    return run;
  }

  /** Resolves when every write asked for so far has landed (the CLI waits for it before exiting). */
  async idle(): Promise<void> {
    await this.chain.catch(() => undefined);
  }

  recordState(from: OsStateSource, state: OsState): Promise<OsRecord> {
    return this.update((r) => ({ ...r, state, stateFrom: from }));
  }

  recordCheck(outcome: OsCheckOutcome, state?: OsState): Promise<OsRecord> {
    return this.update((r) => ({
      ...r,
      lastCheck: outcome,
      ...(outcome.ok ? { lastSuccessAt: outcome.at } : {}),
      ...(state ? { state, stateFrom: 'check' as const } : {}),
    }));
  }
}
