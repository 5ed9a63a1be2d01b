import { formatBytes, measureTree } from './space';

/**
 * What a failed backup leaves, said plainly: the unfinished folder, how much room it takes, and that it is the
 * user's to delete. It never lists as a backup; Kintsugi deletes nothing, not even its own half copy (a failing
 * source may have no other copy).
 */
export async function leftBehind(
  work: string,
  what: 'unfinished' | 'unverified' = 'unfinished',
): Promise<string> {
  const size = await measureTree(work).then(
    (t) => ` (${formatBytes(t.allocatedBytes)})`,
    () => '',
  );
  return `the ${what} copy is left in ${work}${size}: delete it to free the space`;
}
