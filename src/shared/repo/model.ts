// What the repo layer (layer 1: the toolkit's docs & scripts clone) reports. Produced by core/repo, read by the
// CLI and the page; plain data, so it crosses IPC as is.

export interface CommitLine {
  hash: string;
  short: string;
  subject: string;
  /** Committer time, seconds since the epoch. */
  time: number;
}

/** One entry of `git status --porcelain=v2`: the path and its two-letter state (XY; '??' untracked). */
export interface DirtyFile {
  path: string;
  state: string;
}

/** How one toolkit script stands in the bin folder and on PATH. */
export interface ScriptLink {
  name: string;
  /** The script in the clone. */
  source: string;
  /** What the bin folder holds under this name: our symlink, a copy (current or stale since a pull), nothing,
   * or something else (a symlink elsewhere or a different file). */
  inBinDir: 'symlink' | 'copy-current' | 'copy-stale' | 'missing' | 'other';
  /** The file the name finds first on PATH, if any. */
  foundOnPath: string | null;
  /** True when the name on PATH runs the clone's script (directly, by a symlink, or an identical copy). */
  resolvesToClone: boolean;
  /** Plain words when it does not: which file shadows it or why it is stale. */
  problem?: string;
}

export interface RepoStatus {
  cloneDir: string;
  cloned: boolean;
  remoteUrl?: string;
  /** null when HEAD is detached (pinned to a release). */
  branch: string | null;
  head: CommitLine | null;
  /** A tag pointing at HEAD, if any. */
  tag?: string;
  /** Where `unpin` goes back to, when pinned. */
  pinnedFrom?: string;
  upstream?: string;
  /** Counts against the upstream as of the last fetch (offline: nothing is fetched for a status). */
  ahead: number;
  behind: number;
  /** When the clone last fetched (ms since the epoch), null if never. */
  lastFetchAt: number | null;
  dirty: DirtyFile[];
  /** Commits on HEAD that the upstream does not have. */
  localCommits: CommitLine[];
  binDir: string;
  scripts: ScriptLink[];
  /** Why the scripts could not be listed (one refused by the link checks, say): shown instead of a silent gap. */
  scriptsProblem?: string;
}

export interface ChangedFile {
  /** A, M, D, R, ... from `git diff --name-status`. */
  status: string;
  path: string;
}

/** What a fast-forward pull would bring, as of the last fetch. */
export interface PullPreview {
  upstream: string;
  behind: number;
  ahead: number;
  incoming: CommitLine[];
  files: ChangedFile[];
  localCommits: CommitLine[];
  /** Whether a fast-forward is possible (no local commits off the upstream). */
  fastForward: boolean;
  /** Uncommitted files the pull would overwrite. */
  dirtyInWay: string[];
  lastFetchAt: number | null;
}

export interface PullResult {
  from: string;
  to: string;
  /** Commits the branch moved forward by (0: already up to date). */
  commits: number;
  stashed: boolean;
  /** The branch the local commits were kept on, when asked to move them. */
  movedLocalTo?: string;
  /** Scripts linked as copies, now older than the clone's: link again. */
  staleCopies: string[];
}

export interface ReflogEntry {
  /** HEAD@{n}: what `rollback` accepts besides a hash. */
  selector: string;
  hash: string;
  short: string;
  /** What moved HEAD there ("pull: Fast-forward", "checkout: moving from main to v1.0"). */
  action: string;
  subject: string;
  time: number;
}

export interface MoveResult {
  from: string;
  to: string;
  branch: string | null;
  tag?: string;
}

export interface CloneResult {
  cloneDir: string;
  remote: string;
  head: string;
}

export interface LinkResult {
  binDir: string;
  mode: 'symlink' | 'copy';
  linked: string[];
  /** Names already in the bin folder that are not ours: left alone. */
  skipped: { name: string; reason: string }[];
  scripts: ScriptLink[];
}

export interface NetworkState {
  metered: boolean;
  /** Where the answer came from. */
  source: 'setting' | 'networkmanager' | 'unknown';
}
