import type {
  CommitLine,
  LinkResult,
  PullPreview,
  PullResult,
  ReflogEntry,
  RepoStatus,
  ScriptLink,
} from '../../../shared/repo/model';

// The human text of `kintsugi repo ...`: plain sentences a person can act on. JSON output is the result itself.

export function ago(ms: number | null, now = Date.now()): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

const commit = (c: CommitLine) => `    ${c.short} ${c.subject}\n`;

export function statusText(s: RepoStatus, now = Date.now()): string {
  if (!s.cloned) return `No toolkit clone at ${s.cloneDir}.\n  next: kintsugi repo clone\n`;
  let out = `Toolkit clone ${s.cloneDir}${s.remoteUrl ? ` (from ${s.remoteUrl})` : ''}\n`;
  out += s.branch
    ? `  on branch ${s.branch}${s.upstream ? `, following ${s.upstream}` : ' (follows no remote branch)'}\n`
    : `  pinned (detached HEAD)${s.pinnedFrom ? `; unpin returns to ${s.pinnedFrom}` : ''}\n`;
  if (s.head) out += `  HEAD ${s.head.short} ${s.head.subject}${s.tag ? ` [tag ${s.tag}]` : ''}\n`;
  out += `  last checked: ${ago(s.lastFetchAt, now)}${s.lastFetchAt ? ` (${new Date(s.lastFetchAt).toISOString()})` : ''}\n`;
  if (s.upstream)
    out += `  as of then: ${s.behind} commit(s) to pull, ${s.ahead} local commit(s) not on the remote\n`;
  if (s.localCommits.length) out += `  local commits:\n${s.localCommits.map(commit).join('')}`;
  if (s.dirty.length) out += `  uncommitted: ${s.dirty.map((d) => `${d.path} (${d.state})`).join(', ')}\n`;
  out += s.scriptsProblem ? `  scripts: ${s.scriptsProblem}\n` : scriptsText(s.scripts, s.binDir);
  return out;
}

export function scriptsText(scripts: ScriptLink[], binDir: string): string {
  if (!scripts.length) return `  scripts: none found in the clone\n`;
  const bad = scripts.filter((x) => x.problem);
  let out = `  scripts (${binDir}): ${scripts.length - bad.length} of ${scripts.length} found on PATH as the clone's own\n`;
  for (const x of bad) out += `    ${x.name}: ${x.problem}\n`;
  return out;
}

export function previewText(p: PullPreview, now = Date.now()): string {
  let out = `Checked ${ago(p.lastFetchAt, now)}: ${p.behind} commit(s) to pull from ${p.upstream}\n`;
  if (p.incoming.length) out += p.incoming.map(commit).join('');
  if (p.files.length) out += `  files: ${p.files.map((f) => `${f.status} ${f.path}`).join(', ')}\n`;
  if (!p.fastForward)
    out += `  ${p.localCommits.length} local commit(s) are not on the remote: a pull will stop; see kintsugi repo pull --help\n${p.localCommits.map(commit).join('')}`;
  if (p.dirtyInWay.length)
    out += `  uncommitted changes in the way: ${p.dirtyInWay.join(', ')} (pull --stash)\n`;
  if (p.behind && p.fastForward) out += '  next: kintsugi repo pull\n';
  return out;
}

export function pullText(r: PullResult): string {
  let out = r.commits
    ? `Pulled ${r.commits} commit(s): ${r.from.slice(0, 10)}..${r.to.slice(0, 10)}\n`
    : 'Already up to date.\n';
  if (r.movedLocalTo) out += `  your local commits are on branch ${r.movedLocalTo}\n`;
  if (r.stashed)
    out += '  your uncommitted changes are stashed: `git stash pop` in the clone brings them back\n';
  if (r.staleCopies.length)
    out += `  scripts linked as copies are stale now: ${r.staleCopies.join(', ')}; next: kintsugi repo link --copy\n`;
  return out;
}

export function reflogText(entries: ReflogEntry[]): string {
  if (!entries.length) return 'The clone has no earlier HEADs yet.\n';
  return `Earlier HEADs (kintsugi repo rollback REF):\n${entries
    .map((e) => `  ${e.selector.padEnd(10)} ${e.short} ${e.subject}  (${e.action})\n`)
    .join('')}`;
}

export function linkText(r: LinkResult): string {
  let out = `${r.mode === 'copy' ? 'Copied' : 'Linked'} ${r.linked.length} script(s) into ${r.binDir}${r.linked.length ? `: ${r.linked.join(', ')}` : ''}\n`;
  for (const s of r.skipped) out += `  skipped ${s.name}: ${s.reason}\n`;
  out += scriptsText(r.scripts, r.binDir);
  return out;
}
