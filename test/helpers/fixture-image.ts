// Builds small bootable-drive images for integration tests, made with the real tools (sfdisk, mkfs, loop
// devices): a GPT "Kintsugi" layout with an ext4 partition labelled `persistence`, or a Ventoy-style MBR layout whose
// data partition holds a `persistence.dat` ext4 file. The persistence filesystem is filled with everything a faithful
// backup must keep (see populate-persistence.ts).
import { execa } from 'execa';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TreeEntry } from './describe-tree';
import { attachLoop, detachLoop, mountDevice, unmountDir, withMountedLoop } from './loop';
import { populatePersistence, type FixtureFiles } from './populate-persistence';

export { compressFixture, writeSha256File, signWithMinisign, makeBmap } from './fixture-release';
export type { FixtureFiles } from './populate-persistence';

const MiB = 1024 * 1024;
const GPT_LINUX = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const GPT_ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

export interface FixtureOptions {
  /** Whole image size in MiB (default 64). */
  sizeMiB?: number;
  /** 'kintsugi': GPT, p1 boot, p2 ext4 persistence. 'ventoy': MBR, p1 data (holds persistence.dat), p2 VTOYEFI. */
  layout?: 'kintsugi' | 'ventoy';
  /** Filesystem label of the persistence store (default 'persistence'). */
  persistenceLabel?: 'persistence' | 'casper-rw' | 'writable' | string;
  /** Boot partition filesystem for the kintsugi layout. FAT labels max 11 chars, so vfat is labelled KINTSUGIBT. */
  bootFs?: 'ext4' | 'vfat';
  /** Ventoy data partition filesystem. This kernel mounts ext4 but not exFAT, so ext4 is the default. */
  ventoyDataFs?: 'ext4' | 'exfat';
  /** Ventoy layout: put persistence.dat in the data partition (default true; needs the data fs to mount here). */
  placeDat?: boolean;
  /** Size of persistence.dat in MiB for the ventoy layout (default 24). */
  datSizeMiB?: number;
  /** Fill the persistence store with the test tree (default true). An empty store models a freshly flashed image. */
  populate?: boolean;
  /** File name of the image inside dir (default fixture.img). */
  name?: string;
}

export interface FixtureRegion {
  partitionNumber: number;
  offset: number;
  size: number;
}

export interface FixtureImage {
  imagePath: string;
  sizeBytes: number;
  layout: 'kintsugi' | 'ventoy';
  /** Where the persistence store lives: its partition (kind 'partition') or the data partition holding the file. */
  persistence: FixtureRegion & { kind: 'partition' | 'file'; label: string; innerPath?: string };
  boot: FixtureRegion & { label: string };
  /** Paths (relative to the persistence root) of each special case; empty arrays/strings when populate is false. */
  expectedFiles: FixtureFiles;
  /** describeTree() of the persistence root as built: what a backup must reproduce. */
  tree: TreeEntry[];
}

export async function buildFixtureImage(dir: string, opts: FixtureOptions = {}): Promise<FixtureImage> {
  const sizeMiB = opts.sizeMiB ?? 64;
  const layout = opts.layout ?? 'kintsugi';
  const label = opts.persistenceLabel ?? 'persistence';
  await mkdir(dir, { recursive: true });
  const imagePath = join(dir, opts.name ?? 'fixture.img');
  await rm(imagePath, { force: true });
  const fh = await open(imagePath, 'w');
  await fh.truncate(sizeMiB * MiB); // sparse: creation stays fast whatever the size
  await fh.close();

  const script =
    layout === 'kintsugi'
      ? [
          'label: gpt',
          `start=2048, size=${(8 * MiB) / 512}, type=${GPT_ESP}, name="KINTSUGI-BOOT"`,
          `start=${(9 * MiB) / 512}, type=${GPT_LINUX}, name="persistence"`,
        ]
      : [
          'label: dos',
          `start=2048, size=${((sizeMiB - 10) * MiB) / 512}, type=7, bootable`,
          `start=${((sizeMiB - 9) * MiB) / 512}, size=${(8 * MiB) / 512}, type=ef`,
        ];
  await execa('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', imagePath], {
    input: script.join('\n') + '\n',
  });
  const parts = await readPartitions(imagePath);

  const empty: FixtureFiles = emptyFiles();
  if (layout === 'kintsugi') {
    const [p1, p2] = need2(parts, imagePath);
    const bootLabel = opts.bootFs === 'vfat' ? 'KINTSUGIBT' : 'KINTSUGI-BOOT';
    await mkfsOnRegion(
      imagePath,
      p1,
      opts.bootFs === 'vfat' ? ['mkfs.vfat', '-n', bootLabel] : ['mkfs.ext4', '-q', '-F', '-L', bootLabel],
    );
    await mkfsOnRegion(imagePath, p2, ['mkfs.ext4', '-q', '-F', '-L', label]);
    let expectedFiles = empty;
    let tree: TreeEntry[] = [];
    if (opts.populate ?? true) {
      ({ files: expectedFiles, tree } = await withMountedLoop(
        imagePath,
        { offset: p2.offset, sizeLimit: p2.size },
        (mnt) => populatePersistence(mnt),
      ));
    }
    return {
      imagePath,
      sizeBytes: sizeMiB * MiB,
      layout,
      persistence: { ...p2, kind: 'partition', label },
      boot: { ...p1, label: bootLabel },
      expectedFiles,
      tree,
    };
  }

  const [data, efi] = need2(parts, imagePath);
  const dataFs = opts.ventoyDataFs ?? 'ext4';
  await mkfsOnRegion(
    imagePath,
    data,
    dataFs === 'exfat' ? ['mkfs.exfat', '-L', 'Ventoy'] : ['mkfs.ext4', '-q', '-F', '-L', 'Ventoy'],
  );
  await mkfsOnRegion(imagePath, efi, ['mkfs.vfat', '-n', 'VTOYEFI']);
  const datSize = (opts.datSizeMiB ?? 24) * MiB;
  let expectedFiles = empty;
  let tree: TreeEntry[] = [];
  // exFAT cannot be mounted on these test machines; then the .dat file cannot be placed and the caller learns why.
  if (opts.placeDat ?? true)
    await withMountedLoop(
      imagePath,
      { offset: data.offset, sizeLimit: data.size, fsType: dataFs },
      async (dataMnt) => {
        const dat = join(dataMnt, 'persistence.dat');
        const f = await open(dat, 'w');
        await f.truncate(datSize);
        await f.close();
        await execa('mkfs.ext4', ['-q', '-F', '-L', label, dat]);
        if (opts.populate ?? true) {
          ({ files: expectedFiles, tree } = await withMountedLoop(dat, {}, (mnt) =>
            populatePersistence(mnt),
          ));
        }
        // A decoy beside it: not a persistence*.dat name, must be ignored by the finder.
        const decoy = await open(join(dataMnt, 'kintsugi-v1.iso'), 'w');
        await decoy.writeFile('not an iso\n');
        await decoy.close();
      },
    );
  return {
    imagePath,
    sizeBytes: sizeMiB * MiB,
    layout,
    persistence: { ...data, kind: 'file', label, innerPath: 'persistence.dat' },
    boot: { ...efi, label: 'VTOYEFI' },
    expectedFiles,
    tree,
  };
}

/** Partitions of an image as byte offsets, read back from sfdisk --json (sector size from the table). */
async function readPartitions(imagePath: string): Promise<FixtureRegion[]> {
  const { stdout } = await execa('sfdisk', ['--json', imagePath]);
  const table = JSON.parse(stdout).partitiontable as {
    sectorsize?: number;
    partitions: { start: number; size: number }[];
  };
  const ss = table.sectorsize ?? 512;
  return table.partitions.map((p, i) => ({
    partitionNumber: i + 1,
    offset: p.start * ss,
    size: p.size * ss,
  }));
}

async function mkfsOnRegion(imagePath: string, region: FixtureRegion, cmd: string[]): Promise<void> {
  const dev = await attachLoop(imagePath, { offset: region.offset, sizeLimit: region.size });
  try {
    const [tool, ...args] = cmd as [string, ...string[]];
    await execa(tool, [...args, dev]);
  } finally {
    await detachLoop(dev);
  }
}

function need2(parts: FixtureRegion[], imagePath: string): [FixtureRegion, FixtureRegion] {
  const [a, b] = parts;
  if (!a || !b) throw new Error(`sfdisk made ${parts.length} partitions in ${imagePath}, expected 2`);
  return [a, b];
}

function emptyFiles(): FixtureFiles {
  return {
    hardLinks: [],
    symlinks: [],
    danglingSymlink: '',
    xattrFile: '',
    aclFile: '',
    aclDefaultDir: '',
    setuidFile: '',
    setgidDir: '',
    stickyDir: '',
    foreignOwned: [],
    spaceName: '',
    newlineName: '',
    sparseFile: '',
    emptyDir: '',
    randomFiles: [],
  };
}

export { mountDevice, unmountDir };
