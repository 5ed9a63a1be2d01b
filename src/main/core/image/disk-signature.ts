// Is this the start of a disk image? Flashing a checksum file, a signature or a saved error page "succeeds" and
// leaves an unbootable drive, and verify then calls the garbage verified. So the decompressed head must carry
// one of the structures a bootable drive or a filesystem image starts with, as blkid and the kernel look for them.

/** How many decompressed bytes `diskSignature` needs (btrfs keeps its superblock at 64 KiB). */
export const DISK_HEAD_BYTES = 72 * 1024;

type Probe = { kind: string; at: number; bytes: readonly number[] };
const ascii = (s: string) => [...Buffer.from(s, 'latin1')];

// Partition tables and hybrid ISOs first (a hybrid ISO has an MBR and "CD001"; either is enough).
const PROBES: readonly Probe[] = [
  { kind: 'GPT', at: 512, bytes: ascii('EFI PART') },
  { kind: 'GPT (4K sectors)', at: 4096, bytes: ascii('EFI PART') },
  { kind: 'ISO 9660', at: 32769, bytes: ascii('CD001') },
  { kind: 'UDF', at: 32769, bytes: ascii('BEA01') },
  { kind: 'ext2/3/4', at: 1080, bytes: [0x53, 0xef] },
  { kind: 'squashfs', at: 0, bytes: ascii('hsqs') },
  { kind: 'squashfs (big-endian)', at: 0, bytes: ascii('sqsh') },
  { kind: 'btrfs', at: 65600, bytes: ascii('_BHRfS_M') },
  { kind: 'XFS', at: 0, bytes: ascii('XFSB') },
  { kind: 'F2FS', at: 1024, bytes: [0x10, 0x20, 0xf5, 0xf2] },
  { kind: 'EROFS', at: 1024, bytes: [0xe2, 0xe1, 0xf5, 0xe0] },
  { kind: 'LUKS', at: 0, bytes: [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe] },
  // An MBR, or a FAT/exFAT/NTFS boot sector: both end their first sector with 0x55AA.
  { kind: 'MBR or FAT boot sector', at: 510, bytes: [0x55, 0xaa] },
];

/** The structure the head starts with ('GPT', 'ISO 9660', 'ext2/3/4', ...), or undefined when none. */
export function diskSignature(head: Uint8Array): string | undefined {
  return PROBES.find(
    ({ at, bytes }) => head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b),
  )?.kind;
}

/** What a file that is not an image most likely is, for the error's detail ("" when we cannot tell). */
export function guessNonImage(head: Uint8Array): string {
  // A tar inside the compression (.tar.zst, .tar.gz): an archive to extract, not an image.
  if (Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar')
    return ' (it is a tar archive: extract the image from it)';
  const text = Buffer.from(head.subarray(0, 512)).toString('latin1');
  if (/^untrusted comment:/.test(text)) return ' (it is a minisign signature, .minisig)';
  if (/^(?:[0-9a-f]{64}[ \t]+\*?\S|SHA256 \()/i.test(text)) return ' (it is a checksum file, .sha256)';
  if (/<!doctype html|<html|<head|<body/i.test(text))
    return ' (it is a web page: the download may have failed)';
  if (/^-----BEGIN PGP/.test(text)) return ' (it is a PGP signature or key)';
  // Mostly printable: some text file.
  const printable = [...text].filter((ch) => /[\t\n\r\x20-\x7e]/.test(ch)).length;
  if (text.length > 0 && printable / text.length > 0.95) return ' (it is a text file)';
  return '';
}
