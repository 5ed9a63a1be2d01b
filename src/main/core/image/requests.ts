import type { JobRequest } from '../../../shared/jobs';
import type { ImageReport } from '../../../shared/model';

// The two job requests that follow from an image, built in one place for the reflash flow and the CLI alike:
// checking the image the user chose, then flashing the image that check vouched for.

type RequestOf<T extends JobRequest['type']> = Extract<JobRequest, { type: T }>;

/** What the user chose to check: the image and, when given, its .sha256, its .minisig and the key for it. */
export interface ImageChoice {
  source: string;
  sha256File?: string;
  minisigFile?: string;
  pubkey?: string;
  /** Decompress the whole image to prove it is not truncated. */
  fullCheck?: boolean;
  /** Ignore a .bmap beside the image; the flash that follows then writes the whole image. */
  noBmap?: boolean;
  /** Accept a file that does not look like a disk image (the user asked explicitly). */
  forceRaw?: boolean;
  /** Accept an image without a .minisig although a public key is set (the user asked explicitly). */
  allowUnsigned?: boolean;
}

export function imageCheckRequest(choice: ImageChoice): RequestOf<'image-check'> {
  const { source, sha256File, minisigFile, pubkey, fullCheck, noBmap, forceRaw, allowUnsigned } = choice;
  return {
    type: 'image-check',
    params: {
      source,
      ...(sha256File ? { sha256File } : {}),
      ...(minisigFile ? { minisigFile } : {}),
      ...(pubkey ? { pubkey } : {}),
      ...(fullCheck !== undefined ? { fullCheck } : {}),
      ...(noBmap ? { noBmap } : {}),
      ...(forceRaw ? { forceRaw } : {}),
      ...(allowUnsigned ? { allowUnsigned } : {}),
    },
  };
}

/**
 * Flashes what the check looked at (the cached download, not the URL), with the .bmap it found, and re-checks
 * while streaming the published sha256 it matched: a file changed between check and flash fails the flash.
 */
export function flashRequestFor(
  report: ImageReport,
  device: string,
  opts: { includeLoop: boolean; verify: boolean },
): RequestOf<'flash'> {
  return {
    type: 'flash',
    params: {
      image: report.path,
      device,
      includeLoop: opts.includeLoop,
      verify: opts.verify,
      ...(report.bmap ? { bmap: report.bmap.path } : {}),
      ...(report.checksum?.ok
        ? { expectedSha256: { target: report.checksum.target, value: report.checksum.expected } }
        : {}),
    },
  };
}
