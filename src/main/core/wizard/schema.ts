import { z } from 'zod';
import { WIZARD_STEPS, type WizardState } from '../../../shared/model';

// What a saved wizard file must look like to be trusted on load. Nested results (image report, backup,
// flash) come from our own jobs, so their inner fields pass through; the fields the wizard acts on are typed.

const path = z.string().min(1).max(4096);

export const wizardStateSchema = z
  .object({
    step: z.enum(WIZARD_STEPS),
    imageSource: path.optional(),
    sha256File: path.optional(),
    minisigFile: path.optional(),
    image: z
      .object({ path, source: z.string(), compression: z.string(), fileSize: z.number() })
      .passthrough()
      .optional(),
    device: path.optional(),
    backupDir: path.optional(),
    backup: z
      .object({ path, manifest: z.object({ verified: z.boolean() }).passthrough() })
      .passthrough()
      .optional(),
    backupSkipped: z.boolean().optional(),
    flash: z.object({ device: path, verified: z.boolean() }).passthrough().optional(),
    restore: z.object({ target: path, verified: z.boolean() }).passthrough().optional(),
    durations: z.record(z.string(), z.number()).default({}),
    updatedAt: z.string().optional(),
  })
  .passthrough();

export function freshWizardState(): WizardState {
  return { step: 'image', durations: {} };
}
