import { z } from 'zod';
import { KintsugiError } from '../../../../shared/errors';

// The schema of `rpm-ostree status --json`, the fields we read, as upstream builds them (coreos/rpm-ostree
// v2026.2): src/app/rpmostree-builtin-status.cxx (the top level: deployments, transaction, cached-update,
// update-driver), rust/src/daemon.rs deployment_populate_variant (id, osname, checksum, serial, booted, staged,
// pinned), src/daemon/rpmostreed-deployment-utils.cxx (version, timestamp, origin; the cached update's
// ref-has-new-commit, rpm-diff, advisories), src/daemon/org.projectatomic.rpmostree1.xml (the GVariant types:
// rpm-diff upgraded/downgraded a(us(ss)(ss)), removed/added a(usss), advisories a(suuasa{sv}); ActiveTransaction
// (sss) = method name, sender, object path). json-glib serializes a GVariant tuple as a JSON array. Unknown keys
// are kept out of the way (zod strips them), so a newer rpm-ostree that adds keys still parses.

const deployment = z.object({
  id: z.string().optional(),
  osname: z.string(),
  checksum: z.string(),
  serial: z.number().int().optional(),
  booted: z.boolean().default(false),
  staged: z.boolean().default(false),
  pinned: z.boolean().default(false),
  version: z.string().optional(),
  origin: z.string().optional(),
  timestamp: z.number().optional(),
});

/** (type, name, (old evr, arch), (new evr, arch)) */
const changed = z.tuple([
  z.number(),
  z.string(),
  z.tuple([z.string(), z.string()]),
  z.tuple([z.string(), z.string()]),
]);
/** (type, name, evr, arch) */
const single = z.tuple([z.number(), z.string(), z.string(), z.string()]);
/** (id, kind, severity, package NEVRAs, extra) */
const advisory = z.tuple([z.string(), z.number(), z.number(), z.array(z.string()), z.unknown()]);

const cachedUpdate = z.object({
  osname: z.string().optional(),
  checksum: z.string(),
  version: z.string().optional(),
  origin: z.string().optional(),
  'ref-has-new-commit': z.boolean().optional(),
  'rpm-diff': z
    .object({
      upgraded: z.array(changed).default([]),
      downgraded: z.array(changed).default([]),
      removed: z.array(single).default([]),
      added: z.array(single).default([]),
    })
    .optional(),
  advisories: z.array(advisory).optional(),
});

export const statusJson = z.object({
  deployments: z.array(deployment),
  transaction: z.tuple([z.string(), z.string(), z.string()]).nullable().optional(),
  'cached-update': cachedUpdate.nullable().optional(),
});

export type RpmOstreeStatus = z.infer<typeof statusJson>;
export type RpmOstreeDeployment = z.infer<typeof deployment>;
export type RpmOstreeCachedUpdate = z.infer<typeof cachedUpdate>;

export function parseStatusJson(stdout: string): RpmOstreeStatus {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    throw new KintsugiError(
      'OS_RPM_OSTREE_OUTPUT_INVALID',
      `rpm-ostree status --json printed no JSON: ${stdout.slice(0, 200)}`,
    );
  }
  const r = statusJson.safeParse(raw);
  if (!r.success)
    throw new KintsugiError(
      'OS_RPM_OSTREE_OUTPUT_INVALID',
      `rpm-ostree status --json: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}
