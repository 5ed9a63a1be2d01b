import { z } from 'zod';
import { domain, job, produced } from '../ipc/define';
import type { FlashResult } from '../model';
import { absolutePath, devicePath } from '../paths';

export const flashParams = z.strictObject({
  image: absolutePath,
  device: devicePath,
  includeLoop: z.boolean().default(false),
  bmap: absolutePath.optional(),
  /** sha256 of the compressed file or image, already checked by image-check, re-checked while streaming. */
  expectedSha256: z
    .strictObject({ target: z.enum(['compressed', 'image']), value: z.string().regex(/^[0-9a-f]{64}$/) })
    .optional(),
  verify: z.boolean().default(true),
});
export type FlashParams = z.output<typeof flashParams>;

export const verifyDriveParams = z.strictObject({
  image: absolutePath,
  device: devicePath,
  includeLoop: z.boolean().default(false),
  bmap: absolutePath.optional(),
});
export type VerifyDriveParams = z.output<typeof verifyDriveParams>;

export const flashContract = domain({
  methods: {},
  jobs: {
    flash: job({
      title: 'Flash a drive',
      host: 'helper',
      params: flashParams,
      result: produced<FlashResult>(),
    }),
    'verify-drive': job({
      title: 'Compare a drive with an image',
      host: 'helper',
      params: verifyDriveParams,
      result: produced<FlashResult>(),
    }),
  },
});
