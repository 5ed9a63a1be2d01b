import { z } from 'zod';
import { domain, job, produced } from '../ipc/define';
import type { ImageReport } from '../model';
import { pathOrUrl } from '../paths';

export const imageCheckParams = z.strictObject({
  source: pathOrUrl,
  sha256File: pathOrUrl.optional(),
  minisigFile: pathOrUrl.optional(),
  pubkey: z.string().min(1).max(8192).optional(),
  /** Decompress the whole image to prove it is not truncated (slower). */
  fullCheck: z.boolean().optional(),
  /** Ignore a .bmap beside the image (damaged, or not trusted): the report has none, so the whole image is flashed. */
  noBmap: z.boolean().optional(),
  /**
   * Accept a file that does not look like a disk image (no partition table, ISO or filesystem at its start, or a
   * size that is not whole 512-byte sectors). Only after the user explicitly asked: --force-raw, or a typed
   * confirmation the reflash flow checks.
   */
  forceRaw: z.boolean().optional(),
  /**
   * With a public key set, an image without a .minisig is refused; this accepts it unsigned. Only after the user
   * explicitly asked: --allow-unsigned, or UNSIGNED typed (checked by the reflash flow).
   */
  allowUnsigned: z.boolean().optional(),
});
export type ImageCheckParams = z.output<typeof imageCheckParams>;

export const imageContract = domain({
  methods: {},
  jobs: {
    // Hashing and downloading are heavy: off the UI thread, and never root.
    'image-check': job({
      title: 'Check an image',
      host: 'utility',
      params: imageCheckParams,
      result: produced<ImageReport>(),
    }),
  },
});
