// What the app last wrote to a drive, from its ledger of written drives (core/reflash/ledger.ts): the "version on
// the drive" the home page shows. The app knows it for drives it flashed itself; other drives are not read.

export interface LastWrittenImage {
  device: string;
  /** The image file's name, and the version in it when the name carries one (kintsugi-v2.1.img.zst -> 2.1). */
  imageName: string;
  version?: string;
  /** When the flash started (ISO time). */
  writtenAt: string;
  /** Whether the drive is whole again: restored, or nothing owed. Unset: the reflash of it has not finished. */
  complete: boolean;
}
