// Pure: `sfdisk --json DEVICE_OR_IMAGE` -> partitions in bytes. sfdisk counts in sectors of the table's own size
// (512 on nearly every USB stick, 4096 on some), so offsets are only right when multiplied by that number.
import { runTool } from '../util/run-tool';

export interface TablePartition {
  number: number;
  /** The node sfdisk names (/dev/sdb2, image.img2); it may not exist (no udev, or an image file). */
  node: string;
  offset: number;
  size: number;
  type: string;
  name?: string;
}

export interface PartitionTable {
  label: 'gpt' | 'dos' | string;
  sectorSize: number;
  partitions: TablePartition[];
}

interface SfdiskJson {
  partitiontable: {
    label: string;
    device: string;
    sectorsize?: number;
    partitions?: { node: string; start: number; size: number; type: string; name?: string }[];
  };
}

export function parseSfdiskJson(text: string): PartitionTable {
  const t = (JSON.parse(text) as SfdiskJson).partitiontable;
  const sectorSize = t.sectorsize ?? 512;
  const partitions = (t.partitions ?? []).map((p, i) => {
    // The number is what sfdisk appended to the device name (sdb2, nvme0n1p2, image.img2), not the list index:
    // an MBR table can have gaps (partition 1 and 3 only).
    const suffix = p.node.startsWith(t.device) ? p.node.slice(t.device.length).replace(/^p/, '') : '';
    const number = /^\d+$/.test(suffix) ? Number(suffix) : i + 1;
    return {
      number,
      node: p.node,
      offset: p.start * sectorSize,
      size: p.size * sectorSize,
      type: p.type,
      ...(p.name ? { name: p.name } : {}),
    };
  });
  return { label: t.label, sectorSize, partitions };
}

/** Reads the table of a drive or image file; null when it has none (a filesystem directly on the device). */
export async function readPartitionTable(container: string): Promise<PartitionTable | null> {
  try {
    const { stdout } = await runTool('sfdisk', ['--json', container]);
    return stdout.trim() ? parseSfdiskJson(stdout) : null;
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '');
    if (/does not contain a recognized partition table/i.test(stderr)) return null;
    throw err;
  }
}
