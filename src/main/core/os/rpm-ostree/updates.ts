import type { OsUpdate } from '../../../../shared/os/model';
import type { RpmOstreeCachedUpdate, RpmOstreeDeployment } from './status-json';

// The updates in rpm-ostree's cached update: one entry per package of its rpm-diff (upgraded, downgraded, added,
// and removed: no "to", as `rpm-ostree upgrade --check` lists them under "Removed:"), each flagged security when a
// security advisory names it. When
// the diff is empty but the base commit moved (a container image, or a diff rpm-ostree could not compute), one
// entry for the whole image.

/** libdnf's DNF_ADVISORY_KIND_SECURITY (upstream keeps only these; we check the kind anyway). */
const SECURITY = 1;

/** "kernel-core-6.5.2-300.fc39.x86_64" (or with an epoch, "1:6.5.2-...") → "kernel-core". */
export function nevraName(nevra: string): string {
  return nevra.replace(/\.[^.-]+$/, '').replace(/-[^-]+-[^-]+$/, '');
}

function label(d: { version?: string | undefined; checksum: string }): string {
  return d.version ?? d.checksum.slice(0, 12);
}

export function cachedUpdates(
  cu: RpmOstreeCachedUpdate | null | undefined,
  current: RpmOstreeDeployment,
): OsUpdate[] {
  if (!cu) return [];
  const advisoriesOf = new Map<string, string[]>();
  const security = (cu.advisories ?? []).filter((a) => a[1] === SECURITY);
  for (const [id, , , nevras] of security)
    for (const n of nevras) advisoriesOf.set(nevraName(n), [...(advisoriesOf.get(nevraName(n)) ?? []), id]);
  const flag = (ids: string[] | undefined) =>
    ids?.length ? { security: true, source: ids.join(', ') } : { security: false };

  const diff = cu['rpm-diff'];
  const out: OsUpdate[] = [];
  for (const [, name, [fromEvr], [toEvr]] of [...(diff?.upgraded ?? []), ...(diff?.downgraded ?? [])])
    out.push({ name, from: fromEvr, to: toEvr, kind: 'image', ...flag(advisoriesOf.get(name)) });
  for (const [, name, evr] of diff?.added ?? [])
    out.push({ name, to: evr, kind: 'image', ...flag(advisoriesOf.get(name)) });
  for (const [, name, evr] of diff?.removed ?? [])
    out.push({ name, from: evr, kind: 'image', security: false });
  if (out.length === 0 && (cu['ref-has-new-commit'] ?? cu.checksum !== current.checksum))
    out.push({
      name: cu.origin ?? current.origin ?? current.osname,
      from: label(current),
      to: label(cu),
      fromChecksum: current.checksum,
      toChecksum: cu.checksum,
      kind: 'image',
      ...flag(security.length ? security.map((a) => a[0]) : undefined),
    });
  return out;
}
