// Reads a filesystem's type and label without mounting it: blkid's low-level probe on a byte range of the drive or
// image, so it works with or without partition nodes and never changes a byte.
import { runTool } from '../util/run-tool';

export interface FsProbe {
  type?: string;
  label?: string;
}

export function parseBlkidExport(text: string): FsProbe {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1);
  }
  return { type: kv.TYPE, label: kv.LABEL };
}

export async function probeRegion(path: string, region?: { offset: number; size: number }): Promise<FsProbe> {
  const args = ['-p', '-o', 'export'];
  if (region) args.push('--offset', String(region.offset), '--size', String(region.size));
  try {
    return parseBlkidExport((await runTool('blkid', [...args, path])).stdout);
  } catch (err) {
    // blkid exits 2 when it finds nothing: an unformatted partition is not an error.
    if ((err as { exitCode?: number }).exitCode === 2) return {};
    throw err;
  }
}
