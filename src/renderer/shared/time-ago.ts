// "5 min ago", "3 days ago": when something last happened, as a person says it. NOW is passed in so the rule is
// pure (and testable).

export function timeAgo(at: number | null | undefined, now: number): string {
  if (at === null || at === undefined) return 'never';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}
