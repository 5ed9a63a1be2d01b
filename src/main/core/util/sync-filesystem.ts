import { runTool } from './run-tool';

/**
 * Flushes everything written to the filesystem holding `dir` (syncfs(2), through coreutils `sync -f`, since
 * Node has no binding for it) and fails when the kernel reports a write error.
 *
 * Why syncfs rather than `rsync --fsync`: one flush for a whole tree instead of one fsync per file (tens of
 * thousands of small files on a USB drive would take minutes), it also covers the directories, hard links and
 * attributes rsync created (`--fsync` syncs file data only, so new names could still be lost), and it works with
 * every rsync (`--fsync` needs 3.2.4). The cost, also flushing other programs' pending writes to that filesystem,
 * is small next to the copy itself.
 */
export async function syncFilesystem(dir: string): Promise<void> {
  await runTool('sync', ['-f', dir]);
}
