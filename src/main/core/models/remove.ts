import { unlink } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';
import type { RemoveParams, RemoveResult } from '../../../shared/models/contract';
import type { JobContext } from '../jobs/context';
import { userModelsManifest } from '../layers/data-layout';
import { ggufPath, loadModels, ollamaName } from './catalog';
import { removePartial } from './download';
import type { OllamaBackend } from './ollama-backend';
import { removeUserEntry } from './user-manifest-edit';

// `remove SLUG [--delete-weights]`: without the flag only the user's manifest entry goes (a recommended entry
// cannot be removed, only its weights); with it the weights too (the GGUF file and any partial, or the Ollama
// model through the backend). A GGUF file that no manifest names is deleted only when its name is typed back.

export async function removeModel(
  p: RemoveParams,
  ctx: JobContext,
  ollama: () => OllamaBackend,
): Promise<RemoveResult> {
  const manifest = await loadModels(p.dataRoot);
  const found = manifest.entries.find((e) => e.value.slug === p.slug);
  const deleted: string[] = [];
  if (!found) {
    // Not in a manifest: only a .gguf file of that name, and only with the name typed back.
    if (!p.slug.endsWith('.gguf') || !p.deleteWeights)
      throw new KintsugiError('MODEL_NOT_FOUND', p.slug, {
        hint: 'Run `kintsugi models list` for the slugs; a file no manifest names is removed by its file name with --delete-weights.',
      });
    if (p.typed !== p.slug)
      throw new KintsugiError(
        'CONFIRMATION_REQUIRED',
        `${ggufPath(p.dataRoot, p.slug)} is named by no manifest entry`,
        {
          hint: `Type the file name (${p.slug}) to delete it (CLI: answer the prompt, or --confirm ${p.slug}).`,
        },
      );
    const path = ggufPath(p.dataRoot, p.slug);
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await removePartial(path);
    deleted.push(path);
    ctx.log(`Deleted ${path}.`);
    return { slug: p.slug, entryRemoved: false, weightsDeleted: deleted };
  }
  const m = found.value;
  if (!p.deleteWeights && found.source !== 'user')
    throw new KintsugiError('INVALID_ARGUMENT', `${m.slug} is a recommended model, not an entry of yours`, {
      hint: 'Only your own entries can be removed from the list; to free its space use --delete-weights.',
    });
  if (p.deleteWeights) {
    ctx.progress({ kind: 'models', phase: 'remove', message: m.slug });
    if (m.source === 'ollama') {
      await ollama().remove(ollamaName(m.slug));
      deleted.push(ollamaName(m.slug));
    } else {
      const path = ggufPath(p.dataRoot, m.file!);
      await unlink(path).then(
        () => deleted.push(path),
        (err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        },
      );
      await removePartial(path);
    }
  }
  const entryRemoved =
    found.source === 'user' ? await removeUserEntry(userModelsManifest(p.dataRoot), m.slug) : false;
  ctx.log(
    `Removed ${m.slug}${entryRemoved ? ' from your manifest' : ''}${deleted.length ? `; deleted ${deleted.join(', ')}` : ''}.`,
  );
  return { slug: m.slug, entryRemoved, weightsDeleted: deleted };
}
