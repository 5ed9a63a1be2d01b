import type { DirtyFile } from '../../../shared/repo/model';

// Parses `git status --porcelain=v2 --branch -z`: the format git documents as stable for scripts, whatever the
// locale. Pure, so the odd cases (renames carry a second path, detached heads, no upstream) are tested as text.

export interface PorcelainStatus {
  oid: string | null;
  /** null when detached. */
  branch: string | null;
  upstream?: string;
  ahead: number;
  behind: number;
  dirty: DirtyFile[];
}

export function parsePorcelainV2(out: string): PorcelainStatus {
  const s: PorcelainStatus = { oid: null, branch: null, ahead: 0, behind: 0, dirty: [] };
  const parts = out.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const line = parts[i]!;
    if (!line) continue;
    if (line.startsWith('# ')) {
      const [key, ...rest] = line.slice(2).split(' ');
      const value = rest.join(' ');
      if (key === 'branch.oid') s.oid = value === '(initial)' ? null : value;
      else if (key === 'branch.head') s.branch = value === '(detached)' ? null : value;
      else if (key === 'branch.upstream') s.upstream = value;
      else if (key === 'branch.ab') {
        const m = /^\+(\d+) -(\d+)$/.exec(value);
        if (m) [s.ahead, s.behind] = [Number(m[1]), Number(m[2])];
      }
      continue;
    }
    const kind = line[0];
    if (kind === '?') s.dirty.push({ state: '??', path: line.slice(2) });
    else if (kind === '1') s.dirty.push({ state: line.slice(2, 4), path: field(line, 8) });
    else if (kind === '2') {
      s.dirty.push({ state: line.slice(2, 4), path: field(line, 9) });
      i++; // the rename's original path follows as its own NUL-terminated field
    } else if (kind === 'u') s.dirty.push({ state: line.slice(2, 4), path: field(line, 10) });
  }
  return s;
}

/** The rest of the line after N space-separated fields (a path may itself contain spaces). */
function field(line: string, n: number): string {
  let at = 0;
  for (let k = 0; k < n; k++) at = line.indexOf(' ', at) + 1;
  return line.slice(at);
}
