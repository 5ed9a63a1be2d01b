import { OS_CHECK_OVERDUE_DAYS, type OsOverview } from './contract';

// The home page's "System updates" card, as a pure reading of os.overview(): one sentence, a tone and the one
// next action (which opens the OS page), in the shape of the other cards' glances (features/*/summary.ts). The
// card adds "last checked …" itself from `checkedAt` with its own clock (timeAgo).

export interface OsGlance {
  text: string;
  tone: 'muted' | 'ok' | 'warn';
  action: string;
  /** The last successful check (ISO), for "last checked 5 min ago"; absent: never. */
  checkedAt?: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function osGlance(o: OsOverview | undefined): OsGlance {
  if (!o) return { text: 'Reading the system…', tone: 'muted', action: 'Open system updates' };
  const at = o.lastSuccessAt ? { checkedAt: o.lastSuccessAt } : {};
  if (o.backendProblem)
    return {
      text: `No OS update system found: ${o.backendProblem}.`,
      tone: 'warn',
      action: 'Open system updates',
    };
  const name = o.state?.release.prettyName;
  if (o.badge.interrupted)
    return {
      text: 'An update was interrupted and left packages half-installed.',
      tone: 'warn',
      action: 'Repair…',
      ...at,
    };
  if (o.badge.updates > 0)
    return {
      text: `${plural(o.badge.updates, 'update')} (${o.badge.security} security)${name ? ` for ${name}` : ''}.`,
      tone: 'warn',
      action: 'Review and apply…',
      ...at,
    };
  if (o.badge.rebootRequired)
    return {
      text: 'Up to date; restart to finish the last update.',
      tone: 'warn',
      action: 'Open system updates',
      ...at,
    };
  // The catalogue's messages end with a full stop; the sentences below add their own.
  const failed =
    o.lastCheck && !o.lastCheck.ok
      ? (o.lastCheck.error?.message ?? 'unknown error').replace(/\.$/, '')
      : undefined;
  if (o.badge.checkOverdue)
    return {
      text: `No check has succeeded for ${OS_CHECK_OVERDUE_DAYS} days${failed ? `: ${failed}` : ''}.`,
      tone: 'warn',
      action: 'Check now…',
      ...at,
    };
  if (!o.lastSuccessAt)
    return {
      text: failed ? `The check failed: ${failed}.` : 'Never checked for updates.',
      tone: failed ? 'warn' : 'muted',
      action: 'Check now…',
    };
  if (failed) return { text: `The last check failed: ${failed}.`, tone: 'warn', action: 'Check now…', ...at };
  return {
    text: `Up to date${name ? `: ${name}${o.state?.currentVersion ? ` (${o.state.currentVersion})` : ''}` : ''}.`,
    tone: 'ok',
    action: 'Check now…',
    ...at,
  };
}
