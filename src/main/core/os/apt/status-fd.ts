// apt's machine-readable progress (APT::Status-Fd), one line per event:
//   dlstatus:2:49.8017:Retrieving file 2 of 2
//   pmstatus:libc6:77.7778:Configuring libc6 (amd64)
//   pmstatus:dpkg-exec:44.4444:Running dpkg
//   pmerror:libc6:80:subprocess installed post-installation script returned error exit status 1
//   pmconffile:/etc/foo:/etc/foo.dpkg-new:...
// The package field may carry an architecture (libc6:amd64), so the percent is the first all-digits field after
// the kind, not a fixed column; the message (which may hold colons) is everything after it.

export interface StatusEvent {
  kind: 'dlstatus' | 'pmstatus' | 'pmerror' | 'pmconffile' | 'other';
  /** pmstatus/pmerror: the package (bare name); dlstatus: the item number. */
  subject: string;
  percent?: number;
  message: string;
}

export function parseStatusLine(line: string): StatusEvent | undefined {
  const m = /^(dlstatus|pmstatus|pmerror|pmconffile|[a-z-]+):(.*)$/.exec(line.trim());
  if (!m) return undefined;
  const kind =
    (['dlstatus', 'pmstatus', 'pmerror', 'pmconffile'] as const).find((k) => k === m[1]) ?? 'other';
  if (kind === 'pmconffile' || kind === 'other') return { kind, subject: '', message: m[2]! };
  const fields = /^(.*?):(\d+(?:\.\d+)?):(.*)$/.exec(m[2]!);
  if (!fields) return undefined;
  const subject = fields[1]!.split(':')[0]!;
  return { kind, subject, percent: Number(fields[2]), message: fields[3]! };
}

/** Counts packages through one apt run: a package is done when apt says "Installed NAME". */
export class StatusTally {
  readonly done = new Set<string>();
  lastPercent = 0;
  errors: string[] = [];

  feed(e: StatusEvent): void {
    if (e.percent !== undefined) this.lastPercent = e.percent;
    if (e.kind === 'pmerror') this.errors.push(`${e.subject}: ${e.message}`);
    if (e.kind === 'pmstatus' && e.message.startsWith('Installed ')) this.done.add(e.subject);
  }
}
