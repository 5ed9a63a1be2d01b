import { join } from 'node:path';
import { z } from 'zod';
import { loadJsonFile, saveJsonFile } from '../util/json-file';

// Which names `repo link --copy` put into which bin folder. A copy is a plain file: without this record we could
// not tell our stale copy (replace it, report it stale) from someone else's program of the same name (leave it).

const recordSchema = z.object({ copies: z.record(z.string(), z.array(z.string())) });
export type LinkRecord = z.output<typeof recordSchema>;

export const linkRecordPath = (dataRoot: string) => join(dataRoot, 'repo', 'linked-copies.json');

export async function loadLinkRecord(dataRoot: string): Promise<LinkRecord> {
  return (await loadJsonFile(linkRecordPath(dataRoot), recordSchema, () => ({ copies: {} }))).value;
}

export async function saveLinkRecord(dataRoot: string, record: LinkRecord): Promise<void> {
  await saveJsonFile(linkRecordPath(dataRoot), record);
}

export const copiesIn = (record: LinkRecord, binDir: string): ReadonlySet<string> =>
  new Set(record.copies[binDir] ?? []);
