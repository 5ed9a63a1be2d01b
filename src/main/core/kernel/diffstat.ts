import type { Diffstat } from '../../../shared/kernel/contract';

// git diff --stat's totals over a unified patch, for the promote result (the page shows them beside the b2sum).
// Pure over the text: a file is counted once however many series touch it (a cumulative patch may carry several
// sections for one file), and only lines inside a hunk count, so a commit message quoting "+foo" or "--- a/x"
// above its diff never inflates the numbers.

const HUNK = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

export function diffstat(patch: string): Diffstat {
  const files = new Set<string>();
  let insertions = 0;
  let deletions = 0;
  // Lines still to read in the current hunk, old and new sides (a hunk header gives both counts).
  let oldLeft = 0;
  let newLeft = 0;
  const lines = patch.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (oldLeft > 0 || newLeft > 0) {
      if (line.startsWith('+')) {
        insertions++;
        newLeft--;
      } else if (line.startsWith('-')) {
        deletions++;
        oldLeft--;
      } else if (line.startsWith(' ') || line === '') {
        oldLeft--;
        newLeft--;
      }
      // "\ No newline at end of file" belongs to neither side.
      continue;
    }
    if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      const name = fileName(line.slice(4), lines[i + 1]!.slice(4));
      if (name) files.add(name);
      i++;
      continue;
    }
    const h = HUNK.exec(line);
    if (h) {
      oldLeft = h[1] === undefined ? 1 : Number(h[1]);
      newLeft = h[2] === undefined ? 1 : Number(h[2]);
    }
  }
  return { files: files.size, insertions, deletions };
}

/** The file a ---/+++ pair is about: the new name, or the old one when the file is deleted (+++ /dev/null). */
function fileName(oldSide: string, newSide: string): string | undefined {
  const strip = (s: string) => s.split('\t')[0]!.replace(/^[ab]\//, '');
  const n = strip(newSide);
  if (n !== '/dev/null') return n;
  const o = strip(oldSide);
  return o !== '/dev/null' ? o : undefined;
}
