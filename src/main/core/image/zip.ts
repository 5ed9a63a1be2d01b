import { KintsugiError } from '../../../shared/errors';
import { runTool } from '../util/run-tool';

// A zip is accepted only when it holds exactly one file (Etcher does the same with a single-image archive): with
// several, which one is "the image" is a guess, and a wrong guess writes the wrong bytes. Info-ZIP's unzip does the
// reading (zip64, every compression method it knows); we only list the members first.

/** The zip's single member's name; IMAGE_ARCHIVE_UNSUPPORTED naming the members when there is not exactly one. */
export async function listZip(path: string): Promise<string> {
  let names: string[];
  try {
    const { stdout } = await runTool('unzip', ['-Z1', '--', path]);
    names = stdout.split('\n').filter((n) => n.length > 0);
  } catch (err) {
    if (err instanceof KintsugiError && err.code === 'TOOL_MISSING') throw err;
    // unzip -Z1 exits 1 on an empty zip ("Empty zipfile.") and 9 on a damaged one.
    names = [];
    const e = err as { stdout?: unknown; stderr?: unknown; message?: string };
    if (!/empty zipfile/i.test(`${String(e.stdout ?? '')} ${String(e.stderr ?? '')} ${e.message ?? ''}`))
      throw new KintsugiError('IMAGE_CORRUPT', `unzip cannot read the zip archive ${path}`, { cause: err });
  }
  // Directory entries hold no bytes: they neither count as the image nor as a second file.
  const files = names.filter((n) => !n.endsWith('/'));
  if (files.length === 1) return files[0]!;
  throw new KintsugiError(
    'IMAGE_ARCHIVE_UNSUPPORTED',
    files.length === 0
      ? `the zip archive ${path} holds no file`
      : `the zip archive ${path} holds ${files.length} files (${files.slice(0, 10).join(', ')}${files.length > 10 ? ', ...' : ''}): extract the image and pick it`,
  );
}
