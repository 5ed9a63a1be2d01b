import { isUtf8 } from 'node:buffer';

// Linux file names are bytes (anything but '/' and NUL), not text: a name holding 0xff is valid and a backup
// must keep it. Node's string paths are UTF-8, and a name that is not valid UTF-8 read as a string comes back
// with U+FFFD in it and can no longer be opened. So the backup's walks, its index and its worker pool carry
// paths as "byte paths": JS strings with one char per byte (latin1). They compare in byte order with < and
// join with '/' like any path; `fsPath` turns one back into the Buffer that fs calls take.

/** A path as bytes, one char (0-255) per byte. */
export type BytePath = string;

/** A path Node gave as text (a root from the command line, a mount point) as bytes. */
export function toBytePath(text: string): BytePath {
  return ASCII.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

/** The Buffer an fs call takes for a byte path. */
export function fsPath(path: BytePath): Buffer {
  return Buffer.from(path, 'latin1');
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** The bytes as text when they are valid UTF-8 (the string round-trips to the same bytes), else undefined. */
export function utf8Text(path: BytePath): string | undefined {
  if (ASCII.test(path)) return path;
  const bytes = fsPath(path);
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

/**
 * A byte path for people and logs: UTF-8 text as it is, every byte that is not part of valid UTF-8 as \xNN, and
 * control characters (a newline or an escape sequence in a name would rewrite a terminal) as \xNN too, so
 * a printed name is one line that cannot be mistaken for another. A backslash is doubled: unambiguous.
 */
export function displayPath(path: BytePath): string {
  const text = utf8Text(path);
  if (text !== undefined) return escapeControls(text);
  let out = '';
  const bytes = fsPath(path);
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceLength(bytes, i);
    if (n === 0) {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i++;
    } else {
      out += escapeControls(bytes.subarray(i, i + n).toString('utf8'));
      i += n;
    }
  }
  return out;
}

function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\\\x00-\x1f\x7f\u0080-\u009f\u2028\u2029]/g, (c) =>
    c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** The length of the valid UTF-8 sequence starting at i, or 0 when the byte there does not start one. */
function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  const n =
    c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n <= 1) return n;
  if (i + n > b.length) return 0;
  return isUtf8(b.subarray(i, i + n)) ? n : 0;
}

/**
 * rsync's --out-format / --itemize-changes names: with LC_ALL=C every byte it cannot print (all of 0x80-0xff and
 * the controls) comes out as \#ooo (octal), and a backslash that would read as such an escape as \#134. Decoded
 * exactly back into the name's bytes.
 */
export function decodeRsyncName(escaped: string): BytePath {
  return escaped.replace(/\\#([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8) & 0xff));
}
