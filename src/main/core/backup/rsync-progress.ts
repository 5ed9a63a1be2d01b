// Pure parser for `rsync --info=progress2` output. rsync rewrites one status line with \r (also into a pipe)
// and ends it with \n before other output such as --stats: split on both, keep the unfinished tail.

export interface RsyncProgress {
  /** Bytes transferred so far in the whole run. */
  bytes: number;
  percent: number;
  /** Bytes per second as rsync reports it (its units are binary: kB = 1024 B). */
  speed: number;
  /** Seconds left (or, on the final line, seconds elapsed); absent when rsync prints ??:??:??. */
  eta?: number;
  /** Files transferred so far (xfr#N). */
  files?: number;
  /** Files still to check and the number known so far; `incremental` while the file list is still growing (ir-chk). */
  toCheck?: { remaining: number; total: number; incremental: boolean };
}

const UNITS: Record<string, number> = {
  B: 1,
  kB: 1024,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

const LINE =
  /^\s*([\d,.']+)\s+(\d{1,3})%\s+([\d.,]+)(B|kB|KB|MB|GB|TB)\/s\s+(\d+:\d{2}:\d{2}|\?+:\?+:\?+)(?:\s+\(xfr#(\d+),\s*(ir|to)-chk=(\d+)\/(\d+)\))?\s*$/;

/** One progress2 status line -> numbers; anything else (stats, warnings, blank) -> undefined. */
export function parseProgressLine(line: string): RsyncProgress | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const [, bytesText, pct, speedText, unit, etaText, xfr, chkKind, remaining, total] = m;
  // Thousands separators depend on the locale (we run rsync with LC_ALL=C, but accept , . and ').
  const bytes = Number(bytesText!.replace(/[^\d]/g, ''));
  const speed = Number(speedText!.replace(',', '.')) * UNITS[unit!]!;
  const p: RsyncProgress = { bytes, percent: Number(pct), speed: Math.round(speed) };
  if (!etaText!.includes('?')) {
    const [h, mi, s] = etaText!.split(':').map(Number) as [number, number, number];
    p.eta = h * 3600 + mi * 60 + s;
  }
  if (xfr !== undefined) {
    p.files = Number(xfr);
    p.toCheck = { remaining: Number(remaining), total: Number(total), incremental: chkKind === 'ir' };
  }
  return p;
}

/** Splits a byte stream into lines on \r and \n, across chunk boundaries. */
export function createLineSplitter(): { push(chunk: string): string[]; end(): string[] } {
  let tail = '';
  return {
    push(chunk) {
      const parts = (tail + chunk).split(/\r\n|\r|\n/);
      tail = parts.pop() ?? '';
      return parts;
    },
    end() {
      const rest = tail;
      tail = '';
      return rest === '' ? [] : [rest];
    },
  };
}

/** Every progress record in a captured output, in order. */
export function parseProgressOutput(text: string): RsyncProgress[] {
  const splitter = createLineSplitter();
  const lines = [...splitter.push(text), ...splitter.end()];
  return lines.map(parseProgressLine).filter((p): p is RsyncProgress => p !== undefined);
}
