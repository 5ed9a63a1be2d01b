// Plain data shapes shared by core, the helper, the CLI, main and the renderer.

export type SafetyIssueCode =
  'system' | 'boot' | 'too-small' | 'read-only' | 'holds-image' | 'loop-hidden' | 'not-whole-disk';

/** A reason a drive must not (severity 'block') or may, with a warning ('warn'), be flashed. */
export interface SafetyIssue {
  code: SafetyIssueCode | 'mounted';
  severity: 'block' | 'warn';
  message: string;
}

export interface PartitionInfo {
  path: string;
  label?: string;
  fsType?: string;
  size: number;
  mountpoints: string[];
  /** Children of the partition (LUKS mappings, LVM volumes) with their own mountpoints. */
  holders: { path: string; type: string; mountpoints: string[] }[];
}

export interface DriveInfo {
  device: string; // e.g. /dev/sdb or /dev/loop3
  description: string;
  size: number;
  isLoop: boolean;
  isSystem: boolean;
  isRemovable: boolean;
  isReadOnly: boolean;
  partitions: PartitionInfo[];
  /** Every mountpoint on the drive, followed through partitions, LUKS and LVM. */
  mountpoints: string[];
}

export interface DriveView extends DriveInfo {
  issues: SafetyIssue[];
  selectable: boolean;
}

export type Compression = 'zstd' | 'xz' | 'gzip' | 'bzip2' | 'lz4' | 'zip' | 'none';

export interface ImageReport {
  path: string; // local path (downloaded to cache when the source was a URL)
  source: string; // what the user gave
  compression: Compression;
  fileSize: number;
  /** Decompressed size when known without reading the whole stream (or after a full check). */
  imageSize?: number;
  checksum?: {
    target: 'compressed' | 'image'; // which bytes the .sha256 entry named
    fileName: string;
    expected: string;
    ok: boolean;
  };
  signature?: { ok: boolean; trustedComment?: string; keyId?: string };
  /** A public key was set but the user chose to go on without a signature (--allow-unsigned, or typed). */
  unsigned?: boolean;
  bmap?: { path: string; mappedBytes: number; imageSize: number; blockSize: number };
  version?: string; // from the file name, e.g. kintsugi-v1.4.img.zst -> 1.4
  /**
   * The decompressor's own pass over the whole file (its checksums: zstd's, xz's CRC, gzip's CRC32 per member...),
   * run before any write when no published checksum covers the image, and always for gzip, whose trailer size
   * cannot be trusted. `bytes` is what it measured: the image size from then on.
   */
  integrity?: { tool: string; ok: boolean; bytes: number };
  /** The disk structure the decompressed head starts with ('GPT', 'ISO 9660', 'ext2/3/4', ...). */
  diskSignature?: string;
  /** True when it looked like no disk image and the user explicitly chose to flash it anyway (--force-raw). */
  forcedRaw?: boolean;
}

/** One hash a flash (or verify) computed, and over which bytes: each runs for a purpose, none for nothing. */
export interface HashRun {
  /** 'sha256', 'xxh3-128-of-xxh64-1m' (the verify fingerprint), or a bmap's checksum type. */
  algorithm: string;
  /**
   * 'file': the image file as stored (a published checksum names it); 'image': the decompressed image (a
   * published checksum names that); 'bmap-ranges': each mapped range against the bmap's checksum; 'written': the
   * bytes that go to the drive (the whole image, or the mapped ranges); 'read-back': the same ranges read back.
   */
  over: 'file' | 'image' | 'bmap-ranges' | 'written' | 'read-back';
}

export interface FlashResult {
  device: string;
  bytesWritten: number;
  /**
   * What was written and read back, compared: a fast non-cryptographic fingerprint (XXH64 per 1 MiB chunk under XXH3-128, core/flash/fingerprint.ts) of the written bytes
   * (the whole image, or the mapped ranges when a bmap was used). Absent when nothing was read back (--no-verify):
   * then nothing needed it. It proves the drive returned what it was given, not which image that was (a published
   * sha256 does that, before the first MiB is written).
   */
  fingerprint?: { algorithm: 'xxh3-128-of-xxh64-1m'; hex: string };
  /** Every hash that ran, in the order above. */
  hashes: HashRun[];
  verified: boolean;
  usedBmap: boolean;
  durationMs: number;
  verifyDurationMs?: number;
}

export interface BackupManifest {
  /**
   * 1: no per-file checksums. 2: with an index. 3: the head also carries its own checksum (headSha256), binding
   * it to the index it records. 1 and 2 (older versions) are read, and the next backup after one verifies fully.
   */
  formatVersion: 1 | 2 | 3;
  id: string; // folder name
  source: string;
  sourceDescription?: string;
  createdAt: string; // ISO
  finishedAt: string;
  files: number;
  bytes: number;
  linkDest?: string;
  verified: boolean;
  tools: Record<string, string>; // e.g. { rsync: '3.2.7' }
  /** Version 2: the per-file list (size, sha256, the source as seen) beside the manifest, and its own sha256. */
  index?: { name: string; sha256: string; entries: number; bytes: number };
  /** Version 2: how the files' checksums were obtained. */
  verify?: BackupVerifyInfo;
  /** Version 3: the sha256 of this head's JSON without this field (core/backup/manifest.ts). */
  headSha256?: string;
}

export interface BackupVerifyInfo {
  /** full: every file read on both sides; incremental: files linked from linkDest with an unchanged source inherit. */
  mode: 'full' | 'incremental';
  hashedFiles: number;
  hashedBytes: number;
  inheritedFiles: number;
  inheritedBytes: number;
  /** Bytes stored anew in this backup, and bytes that are hard links to linkDest's files. */
  newBytes: number;
  linkedBytes: number;
  /** Incremental backups since the last full verify, this one included (0 for a full one). */
  sinceFull: number;
}

/** The last `backup check` of a backup, kept beside its manifest. */
export interface BackupCheckRecord {
  at: string;
  ok: boolean;
  files: number;
  problems: string[];
  problemCount: number;
}

export interface BackupSummary {
  path: string;
  manifest: BackupManifest;
  lastCheck?: BackupCheckRecord;
}

export interface PersistenceStoreInfo {
  kind: 'partition' | 'file';
  /** The drive or image file that holds it. */
  container: string;
  label?: string;
  fsType?: string;
  partitionNumber?: number;
  offset?: number;
  size: number;
  /** For kind 'file': the path of the .dat file inside the data partition. */
  innerPath?: string;
}

export type { Settings } from './app/settings';
