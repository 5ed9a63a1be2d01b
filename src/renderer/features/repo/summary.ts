import type { PullPreview, RepoStatus } from '../../../shared/repo/model';
import { timeAgo } from '../../shared/time-ago';

// The docs & scripts clone at a glance, for its home card: one sentence, a tone and the one next action. Pure: the
// card and the unit test read the same words.

export interface RepoGlance {
  text: string;
  tone: 'muted' | 'ok' | 'warn';
  /** The next action's label; '…' because the card's button opens the page, where the action is confirmed. */
  action: string;
}

const commits = (n: number) => `${n} commit${n === 1 ? '' : 's'}`;

export function repoGlance(status: RepoStatus | undefined, now: number): RepoGlance {
  if (!status) return { text: 'Reading the clone…', tone: 'muted', action: 'Open docs & scripts' };
  if (!status.cloned)
    return { text: 'Not cloned yet: the docs and scripts are missing.', tone: 'warn', action: 'Clone…' };
  const checked = `last checked ${timeAgo(status.lastFetchAt, now)}`;
  if (status.branch === null) {
    const where = status.tag ?? status.head?.short ?? 'a release';
    return { text: `Pinned to ${where} (${checked}).`, tone: 'muted', action: 'Open docs & scripts' };
  }
  if (status.ahead > 0 && status.behind > 0)
    return {
      text: `${commits(status.ahead)} of your own and ${commits(status.behind)} behind: a pull needs your choice (${checked}).`,
      tone: 'warn',
      action: 'Choose how to pull…',
    };
  if (status.behind > 0)
    return {
      text: `${commits(status.behind)} behind (${checked}).`,
      tone: 'warn',
      action: 'Review and pull…',
    };
  if (status.lastFetchAt === null)
    return { text: 'Never checked for updates.', tone: 'muted', action: 'Check for updates…' };
  return { text: `Up to date (${checked}).`, tone: 'ok', action: 'Check for updates…' };
}

/** What Pull can do now, as of the last fetch. */
export type PullReadiness = 'nothing' | 'ready' | 'diverged' | 'dirty-in-way';

export function pullReadiness(preview: PullPreview | undefined): PullReadiness {
  if (!preview || preview.behind === 0) return 'nothing';
  if (!preview.fastForward) return 'diverged';
  if (preview.dirtyInWay.length > 0) return 'dirty-in-way';
  return 'ready';
}
