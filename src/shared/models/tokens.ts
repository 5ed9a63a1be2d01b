import { z } from 'zod';

// The slug a page or a command line names a model by. The same pattern as the manifest's entry schema
// (core/manifests/models.ts): a slug reaches `ollama pull` and names a file, so `;`, `$(...)`, spaces, `/..` and a
// leading `-` never match.
export const modelSlugArg = z
  .string()
  .max(200)
  .regex(
    /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?(:[A-Za-z0-9][A-Za-z0-9._-]*)?$/,
    'must be a model slug: name[:tag] or namespace/name[:tag] (lower-case, digits, . _ -)',
  )
  .refine((s) => !s.includes('..'), 'must not contain ".."');

/** A GGUF file name under <data>/models/user (no folder, no `..`): for files no manifest names. */
export const modelFileArg = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be a file name (no "/" or spaces)')
  .refine((s) => !s.includes('..'), 'must not contain ".."');
