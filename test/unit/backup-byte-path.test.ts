import { describe, expect, it } from 'vitest';
import {
  decodeRsyncName,
  displayPath,
  fsPath,
  toBytePath,
  utf8Text,
} from '../../src/main/core/backup/byte-path';

// Names are bytes: carried losslessly as byte paths, printed so that a terminal shows one unambiguous line.

describe('byte paths', () => {
  it('round-trip any bytes but NUL and /, and text through its UTF-8 bytes', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 0 && b !== 0x2f));
    const path = all.toString('latin1');
    expect(fsPath(path).equals(all)).toBe(true);
    expect(toBytePath('café')).toBe('caf\xc3\xa9');
    expect(fsPath(toBytePath('café')).toString('utf8')).toBe('café');
    expect(utf8Text('caf\xc3\xa9')).toBe('café');
    expect(utf8Text('a\xffb')).toBeUndefined();
  });

  it('prints invalid bytes and control characters as \\xNN, a backslash doubled, valid UTF-8 as it is', () => {
    expect(displayPath('a\xffb')).toBe('a\\xffb');
    expect(displayPath('caf\xc3\xa9/x\xc3')).toBe('café/x\\xc3');
    expect(displayPath('new\nline\x1b[31m')).toBe('new\\x0aline\\x1b[31m');
    expect(displayPath('back\\slash')).toBe('back\\\\slash');
    expect(displayPath(toBytePath('a\u0085b'))).toBe('a\\x85b');
    // An overlong or surrogate sequence is not UTF-8: its bytes are shown one by one.
    expect(displayPath('\xc0\xaf\xed\xa0\x80')).toBe('\\xc0\\xaf\\xed\\xa0\\x80');
  });

  it("decodes rsync's \\#ooo escapes exactly, a literal backslash-hash included", () => {
    expect(decodeRsyncName('>f+++++++++ a\\#377b')).toBe('>f+++++++++ a\xffb');
    expect(decodeRsyncName('x\\#134#y')).toBe('x\\#y');
    expect(decodeRsyncName('caf\\#303\\#251')).toBe('caf\xc3\xa9');
    expect(decodeRsyncName('no escapes \\n here')).toBe('no escapes \\n here');
  });
});
