// git --progress writes "Receiving objects:  45% (9/20), 1.20 MiB | 2.00 MiB/s" to stderr, rewriting the line
// with \r. We run git with LC_ALL=C, so these phase names are git's own untranslated ones; a line we do not
// recognise is simply not progress (the job still runs and logs it).

const LINE =
  /(Counting objects|Compressing objects|Receiving objects|Unpacking objects|Resolving deltas|Updating files):\s+\d+% \((\d+)\/(\d+)\)/;

/** A stderr chunk handler that calls REPORT for each progress update it can read. */
export function gitProgressReader(
  report: (items: number, itemsTotal: number, message: string) => void,
): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    const pieces = pending.split(/[\r\n]/);
    pending = pieces.pop() ?? '';
    for (const piece of pieces) {
      const m = LINE.exec(piece);
      if (m) report(Number(m[2]), Number(m[3]), m[1]!);
    }
  };
}
