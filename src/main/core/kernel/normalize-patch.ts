import { KintsugiError } from '../../../shared/errors';

// One `git format-patch` file -> its normalised form, the piece the cumulative patch is made of. The aim: the
// same commit gives the same bytes whoever exported it, with whatever git version, config, locale or time zone.
// Text is handled as latin1 so every byte passes through unchanged (UTF-8 in a message or a hunk stays intact).
//
// Kept, in this order: a fixed mbox separator `From 0000…0000 Mon Sep 17 00:00:00 2001` (the sha zeroed, git's own
// constant date), `From:`, `Subject:` (folded lines joined, a leading "[PATCH n/m]"-style tag dropped), MIME-Version / Content-Type /
// Content-Transfer-Encoding when present (they say how to read the body), a line `X-Kintsugi-Series:
// <scope>/<series>/<file>`, a blank line, the commit message, `---`, then each file's diff: `diff --git a/… b/…`,
// mode / new / deleted / rename / copy / similarity lines, `---`/`+++` and every hunk as written.
// Dropped: the commit sha, `Date:` (time zone and time of export), Message-Id, To/Cc and other mail headers, the
// diffstat (its width follows the terminal and diff.statGraphWidth), `index <abbrev>..<abbrev>` lines (their
// length follows core.abbrev; git apply needs them only for binary patches and 3-way merges, refused/unused
// here), the text after a hunk's second `@@` (the function name comes from the exporter's diff drivers; apply
// ignores it), and the `-- ` signature with git's version. Binary patches are refused: they cannot be checked
// without their index lines. The result still reads as an mbox, so `git am` takes the cumulative patch too.

export interface Hunk {
  /** The path the hunk changes (the a/ side; b/ for a new file). */
  file: string;
  oldStart: number;
  /** `@@ -a,b +c,d @@`, as kept. */
  header: string;
  /** Which series patch it came from (`<scope>/<series>/<file>`). */
  source: string;
}

export interface NormalisedPatch {
  text: string;
  hunks: Hunk[];
}

const ZERO_FROM = 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001';
const KEPT_HEADERS = [
  'from',
  'subject',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
] as const;
const EXTENDED =
  /^(old mode|new mode|deleted file mode|new file mode|similarity index|dissimilarity index|rename from|rename to|copy from|copy to) /;
const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

export function normalisePatch(bytes: Buffer, label: string): NormalisedPatch {
  const fail = (line: number, what: string): never => {
    throw new KintsugiError('KERNEL_PATCH_INVALID', `${label}:${line}: ${what}`);
  };
  const lines = bytes.toString('latin1').split('\n');
  if (lines.at(-1) === '') lines.pop();
  let i = 0;

  // Mail headers (absent in a plain `git diff` file: then there is no message either).
  const headers = new Map<string, string>();
  const isMail = /^From [0-9a-f]{7,64} /.test(lines[0] ?? '') || /^From: /.test(lines[0] ?? '');
  if (isMail) {
    if (lines[0]!.startsWith('From ') && !lines[0]!.startsWith('From: ')) i++;
    let last: string | undefined;
    for (; i < lines.length && lines[i] !== ''; i++) {
      const l = lines[i]!;
      if (/^[ \t]/.test(l) && last) headers.set(last, `${headers.get(last)} ${l.trim()}`);
      else {
        const m = /^([A-Za-z0-9-]+):[ \t]?(.*)$/.exec(l);
        if (!m) fail(i + 1, `not a mail header line: ${JSON.stringify(l.slice(0, 80))}`);
        last = m![1]!.toLowerCase();
        if (!headers.has(last)) headers.set(last, m![2]!);
      }
    }
    i++; // the blank line
  }

  // The message, up to `---` (or straight to the first diff when there is no diffstat separator).
  const message: string[] = [];
  for (; i < lines.length && lines[i] !== '---' && !lines[i]!.startsWith('diff --git '); i++)
    message.push(lines[i]!);
  while (message.length && message.at(-1)!.trim() === '') message.pop();
  // The diffstat: skipped up to the first diff.
  while (i < lines.length && !lines[i]!.startsWith('diff --git ')) i++;
  if (i >= lines.length) fail(lines.length, 'no `diff --git` in this file');

  const diff: string[] = [];
  const hunks: Hunk[] = [];
  let file: string | undefined;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.startsWith('diff --git ')) {
      const m = /^diff --git a\/(\S+) b\/(\S+)$/.exec(l);
      if (!m)
        fail(i + 1, 'a diff without a/ b/ prefixes (exported with diff.noprefix?) or with spaces in a path');
      file = m![1]!;
      diff.push(l);
      i++;
      continue;
    }
    if (l.startsWith('index ')) {
      i++;
      continue;
    }
    if (l.startsWith('GIT binary patch') || l.startsWith('Binary files '))
      fail(i + 1, 'a binary patch: ship binary files another way');
    if (EXTENDED.test(l) || l.startsWith('--- ') || l.startsWith('+++ ')) {
      if (file === undefined) fail(i + 1, `${l.slice(0, 3)} before any diff --git line`);
      if (l.startsWith('+++ b/') && diff.at(-1) === '--- /dev/null') file = l.slice(6);
      diff.push(l);
      i++;
      continue;
    }
    const h = HUNK.exec(l);
    if (h) {
      if (file === undefined) fail(i + 1, 'a hunk before any diff --git line');
      const header = h[0];
      let oldLeft = h[2] === undefined ? 1 : Number(h[2]);
      let newLeft = h[4] === undefined ? 1 : Number(h[4]);
      hunks.push({ file: file!, oldStart: Number(h[1]), header, source: label });
      diff.push(header);
      i++;
      // Consume exactly the lines the header announces: a removed line "- x" reads "-- x" and must not be
      // mistaken for the signature.
      while (oldLeft > 0 || newLeft > 0) {
        const b = lines[i];
        if (b === undefined) fail(i, `hunk ${header} ends early (the file is cut short)`);
        const c = b![0];
        if (c === ' ' || b === '') {
          oldLeft--;
          newLeft--;
        } else if (c === '-') oldLeft--;
        else if (c === '+') newLeft--;
        else if (c !== '\\')
          fail(i + 1, `unexpected line in hunk ${header}: ${JSON.stringify(b!.slice(0, 80))}`);
        if (oldLeft < 0 || newLeft < 0) fail(i + 1, `hunk ${header} has more lines than its header says`);
        diff.push(b!);
        i++;
      }
      if (lines[i]?.startsWith('\\')) diff.push(lines[i++]!);
      continue;
    }
    if (l === '-- ') break; // git's signature: "-- " then its version, nothing of the change
    if (l.trim() === '') {
      i++;
      continue;
    }
    fail(i + 1, `unexpected line after a diff: ${JSON.stringify(l.slice(0, 80))} (one commit per file)`);
  }
  if (!hunks.length && !diff.some((l) => EXTENDED.test(l))) fail(1, 'the diff changes nothing');

  const head = [ZERO_FROM];
  for (const key of KEPT_HEADERS) {
    let v = headers.get(key);
    // "[PATCH 2/7]", "[RFC PATCH v3]": how it was mailed, not what it changes (git am drops it too).
    if (key === 'subject' && v !== undefined) v = v.replace(/^(\[[^\]]*\]\s*)+/, '');
    if (v !== undefined) head.push(`${headerName(key)}: ${v}`);
  }
  head.push(`X-Kintsugi-Series: ${label}`, '');
  const text = [...head, ...message, '---', ...diff].join('\n') + '\n';
  return { text, hunks };
}

function headerName(key: string): string {
  return key === 'mime-version'
    ? 'MIME-Version'
    : key.replace(/(^|-)([a-z])/g, (_, d, c) => d + c.toUpperCase());
}
