import { z } from 'zod';
import { domain, method, produced } from '../ipc/define';
import type { DriveView } from '../model';
import { absolutePath } from '../paths';

export const drivesContract = domain({
  methods: {
    list: method(
      z.tuple([
        z.strictObject({
          includeLoop: z.boolean().optional(),
          imageSize: z.number().int().nonnegative().optional(),
          imagePath: absolutePath.optional(),
        }),
      ]),
      produced<DriveView[]>(),
    ),
  },
});
