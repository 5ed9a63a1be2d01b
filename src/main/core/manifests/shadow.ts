import type { LocatedEntry } from './parse-manifest';

// The user's manifest over the recommended one: an entry of the same key (name, slug) replaces the recommended
// entry in place, so the user can pin a version or switch a recipe without losing their place in the list; the
// user's other entries follow the recommended ones, in their own order.

export interface LayeredEntry<T> extends LocatedEntry<T> {
  source: 'recommended' | 'user';
  shadowsRecommended: boolean;
}

export function shadow<T>(
  recommended: readonly LocatedEntry<T>[],
  user: readonly LocatedEntry<T>[],
  keyOf: (entry: T) => string,
): LayeredEntry<T>[] {
  const mine = new Map(user.map((u) => [keyOf(u.value), u]));
  const out: LayeredEntry<T>[] = recommended.map((r) => {
    const u = mine.get(keyOf(r.value));
    return u
      ? { ...u, source: 'user', shadowsRecommended: true }
      : { ...r, source: 'recommended', shadowsRecommended: false };
  });
  const recommendedKeys = new Set(recommended.map((r) => keyOf(r.value)));
  for (const u of user)
    if (!recommendedKeys.has(keyOf(u.value))) out.push({ ...u, source: 'user', shadowsRecommended: false });
  return out;
}
