import { readFile } from 'node:fs/promises';
import { isMap, isSeq, parseDocument } from 'yaml';
import { KintsugiError } from '../../../shared/errors';
import { writeFileAtomic } from '../util/atomic-write';

// Removes one entry from the user's models.yaml through the yaml Document API, so the person's comments, order
// and formatting around the other entries stay as they wrote them. Written atomically.

export async function removeUserEntry(file: string, slug: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const doc = parseDocument(text);
  if (doc.errors.length)
    throw new KintsugiError('INVALID_ARGUMENT', `${file} is not valid YAML: ${doc.errors[0]!.message}`, {
      hint: 'Fix the file (the detail says where), then remove again; nothing was changed.',
    });
  const list = doc.get('models');
  if (!isSeq(list)) return false;
  const index = list.items.findIndex((it) => isMap(it) && it.get('slug') === slug);
  if (index < 0) return false;
  list.items.splice(index, 1);
  await writeFileAtomic(file, doc.toString());
  return true;
}
