// `--check-against FILE`: is our patch byte for byte the reference? If not, where they first differ: the byte
// offset, the line number (from 1) and both lines, so the person sees the difference without a diff tool.

export interface FirstDifference {
  offset: number;
  line: number;
  ours: string;
  theirs: string;
}

export function firstDifference(ours: Buffer, theirs: Buffer): FirstDifference | undefined {
  const n = Math.min(ours.length, theirs.length);
  let offset = 0;
  while (offset < n && ours[offset] === theirs[offset]) offset++;
  if (offset === n && ours.length === theirs.length) return undefined;
  // lastIndexOf with a negative offset counts from the end: the first line starts at 0.
  const start = offset === 0 ? 0 : ours.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let k = 0; k < start; k++) if (ours[k] === 0x0a) line++;
  const lineAt = (b: Buffer) => {
    if (start >= b.length) return '(end of file)';
    const end = b.indexOf(0x0a, start);
    return b.subarray(start, end < 0 ? b.length : end).toString('utf8');
  };
  return { offset, line, ours: lineAt(ours), theirs: lineAt(theirs) };
}

export const describeDifference = (d: FirstDifference, reference: string): string =>
  `first difference from ${reference} at byte ${d.offset}, line ${d.line}:\n  ours:   ${JSON.stringify(d.ours)}\n  theirs: ${JSON.stringify(d.theirs)}`;
