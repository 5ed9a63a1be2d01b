import { z } from 'zod';
import { sha256Hex } from '../../../shared/frameworks/safe-tokens';
import { userModelsManifest } from '../layers/data-layout';
import { loadLayeredManifest, type LayeredManifest } from './load-layered';
import type { ManifestSpec } from './parse-manifest';
import { shippedManifestDir } from './shipped-dir';

// The models manifest (manifest/models-recommended.yaml, <data>/models/user/models.yaml): its entry schema and
// loader, for the models layer to build on. A slug goes to `ollama pull`, a repo and file become a download URL
// and a file name under <data>/models/user, so each is a whitelist pattern that cannot become an option, a shell
// word or a path step.

const noDotDot = (s: string) => !s.includes('..');

/** `name[:tag]`, optionally `namespace/name[:tag]` (as `ollama pull` takes it). */
export const modelSlug = z
  .string()
  .max(200)
  .regex(
    /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?(:[A-Za-z0-9][A-Za-z0-9._-]*)?$/,
    'must be an Ollama-style slug: name[:tag] or namespace/name[:tag] (lower-case, digits, . _ -)',
  )
  .refine(noDotDot, 'must not contain ".."');

const hfRepo = z
  .string()
  .max(200)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'must be a Hugging Face repo: owner/name',
  )
  .refine(noDotDot, 'must not contain ".."');

const revision = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a commit hash, tag or branch (letters, digits, . _ -)')
  .refine(noDotDot, 'must not contain ".."');

/** A file name in the repo's root: it becomes <data>/models/user/<file>. */
const modelFile = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be a file name (no "/" or spaces)')
  .refine(noDotDot, 'must not contain ".."');

export const modelEntrySchema = z
  .strictObject({
    slug: modelSlug,
    source: z.enum(['ollama', 'huggingface']),
    repo: hfRepo.optional(),
    revision: revision.optional(),
    file: modelFile.optional(),
    sha256: sha256Hex.optional(),
    /** Bytes (of the download), for the space check and the page. */
    size: z.number().int().positive().optional(),
    status: z.enum(['recommended', 'evaluating']).default('evaluating'),
    notes: z.string().max(1000).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.source === 'huggingface') {
      if (!m.repo)
        ctx.addIssue({ code: 'custom', path: ['repo'], message: 'a huggingface model needs its repo' });
      if (!m.file)
        ctx.addIssue({ code: 'custom', path: ['file'], message: 'a huggingface model needs its file' });
    } else
      for (const key of ['repo', 'revision', 'file'] as const)
        if (m[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: `an ollama model has no ${key}` });
  });
export type ModelEntry = z.output<typeof modelEntrySchema>;

export const MODELS_MANIFEST: ManifestSpec<ModelEntry> = {
  listKey: 'models',
  entry: modelEntrySchema,
  keyOf: (m) => m.slug,
};

export const MODELS_RECOMMENDED = 'models-recommended.yaml';

export async function loadModelsManifest(
  dataRoot: string,
  shippedDir?: string,
): Promise<LayeredManifest<ModelEntry>> {
  return loadLayeredManifest({
    dataRoot,
    recommendedName: MODELS_RECOMMENDED,
    userFile: userModelsManifest(dataRoot),
    shippedDir: shippedDir ?? (await shippedManifestDir()),
    spec: MODELS_MANIFEST,
  });
}
