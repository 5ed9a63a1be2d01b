import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { KintsugiError } from '../../../shared/errors';
import type { HostManifest } from '../../../shared/kernel/model';
import type { PromoteResult } from '../../../shared/kernel/contract';
import type { JobContext } from '../jobs/context';
import { writeFileAtomic } from '../util/atomic-write';
import { checkApplies } from './apply-check';
import { resolveBaseline } from './baseline';
import { b2sumLine, blake2b512Hex } from './digest';
import { loadHostManifest } from './fleet-manifest';
import { normalisePatch, type Hunk } from './normalize-patch';
import { diffstat } from './diffstat';
import { describeDifference, firstDifference } from './parity';
import { collectSeries } from './series';

// promote: a host's included series -> one cumulative patch (series.ts orders, normalize-patch.ts normalises),
// checked to apply on the baseline ref (apply-check.ts) BEFORE it is written, so a failing promote never replaces
// the last good patch. Written atomically with its BLAKE2b-512 next to it (FILE.b2, b2sum's format).

/** out/<host>/ in the workspace: the promoted patch, the build folder, the package repository. */
export const hostOutDir = (workspace: string, host: string) => join(workspace, 'out', host);

export const defaultPatchPath = (workspace: string, m: HostManifest) =>
  join(hostOutDir(workspace, m.host), `${m.package.pkgbase}-${m.package.pkgver}.patch`);

export interface PromoteOptions {
  workspace: string;
  host: string;
  /** Absolute; default: out/<host>/<pkgbase>-<pkgver>.patch. */
  out?: string;
  /** Absolute path of a reference patch that ours must equal byte for byte. */
  checkAgainst?: string;
}

/** The cumulative patch's bytes and where each hunk came from; pure over the files read. */
export async function buildCumulativePatch(
  workspace: string,
  m: HostManifest,
): Promise<{ bytes: Buffer; hunks: Hunk[]; patches: string[] }> {
  const files = await collectSeries(workspace, m);
  const parts: string[] = [];
  const hunks: Hunk[] = [];
  for (const f of files) {
    const n = normalisePatch(await readFile(f.path), f.label);
    parts.push(n.text);
    hunks.push(...n.hunks);
  }
  return { bytes: Buffer.from(parts.join(''), 'latin1'), hunks, patches: files.map((f) => f.label) };
}

export async function promote(opts: PromoteOptions, ctx: JobContext): Promise<PromoteResult> {
  const m = await loadHostManifest(opts.workspace, opts.host);
  ctx.progress({ kind: 'kernel', phase: 'promote', message: `${m.includes.length} series` });
  const { bytes, hunks, patches } = await buildCumulativePatch(opts.workspace, m);
  ctx.log(`${patches.length} patch file(s) from ${m.includes.length} series, ${bytes.length} bytes`);

  ctx.progress({ kind: 'kernel', phase: 'validate', message: `on ${m.baseline.ref}` });
  const baseline = await resolveBaseline(opts.workspace, m, ctx.signal);
  const tmp = await mkdtemp(join(tmpdir(), 'kintsugi-promote-'));
  try {
    const candidate = join(tmp, 'cumulative.patch');
    await writeFile(candidate, bytes);
    await checkApplies(baseline, candidate, hunks, ctx.signal);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  ctx.log(`applies on ${m.baseline.ref} (${baseline.commit})`);

  const patch = opts.out ?? defaultPatchPath(opts.workspace, m);
  const b2sum = blake2b512Hex(bytes);
  await writeFileAtomic(patch, bytes);
  await writeFileAtomic(`${patch}.b2`, b2sumLine(b2sum, basename(patch)));
  ctx.log(`wrote ${patch} (b2sum ${b2sum.slice(0, 16)}…)`);

  const result: PromoteResult = {
    host: m.host,
    patch,
    b2File: `${patch}.b2`,
    b2sum,
    bytes: bytes.length,
    patches,
    diffstat: diffstat(bytes.toString('latin1')),
    baseline: {
      repo: m.baseline.repo,
      ref: m.baseline.ref,
      commit: baseline.commit,
      committerTime: baseline.committerTime,
    },
  };
  if (opts.checkAgainst) {
    const reference = await readFile(opts.checkAgainst).catch((err: NodeJS.ErrnoException) => {
      throw new KintsugiError(
        'INVALID_ARGUMENT',
        `--check-against ${opts.checkAgainst}: ${err.code ?? err.message}`,
      );
    });
    const d = firstDifference(bytes, reference);
    if (d)
      throw new KintsugiError(
        'KERNEL_PARITY_MISMATCH',
        `${patch} (written): ${describeDifference(d, opts.checkAgainst)}`,
      );
    result.parity = 'identical';
  }
  return result;
}
