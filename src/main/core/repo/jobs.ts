import { DEFAULT_BIN_DIR } from '../../../shared/repo/remote';
import type { PullResult } from '../../../shared/repo/model';
import type { JobContext } from '../jobs/context';
import type { RunnersFor } from '../jobs/runner-types';
import { toolkitCloneDir } from '../layers/data-layout';
import { requireUnmeteredOrAllowed } from '../network/require-unmetered';
import { requireClone } from './clone-state';
import { cloneToolkit } from './clone';
import { fetchOrigin } from './fetch';
import { linkScripts } from './link';
import { pinToTag, unpin } from './pin';
import { pullPreview } from './preview';
import { pullFastForward, type PullOptions } from './pull';
import { rollbackTo } from './rollback';
import { scriptStates } from './status';

// The repo layer's job runners (declared in src/shared/repo/contract.ts). Anything that downloads passes the
// metered gate first, here where the download happens, whoever asked.

type Metered = { allowMetered: boolean; meteredSetting: 'auto' | 'yes' | 'no' };
const gate = (p: Metered, what: string) =>
  requireUnmeteredOrAllowed({ setting: p.meteredSetting, allowMetered: p.allowMetered, what });

const pathVar = () => process.env['PATH'] ?? '';

async function pullAndReport(
  dataRoot: string,
  binDir: string | undefined,
  opts: PullOptions,
  ctx: JobContext,
): Promise<PullResult> {
  const r = await pullFastForward(toolkitCloneDir(dataRoot), opts, ctx);
  const scripts = await scriptStates(dataRoot, binDir ?? DEFAULT_BIN_DIR, pathVar());
  const staleCopies = scripts.filter((s) => s.inBinDir === 'copy-stale').map((s) => s.name);
  if (staleCopies.length)
    ctx.log(`Scripts linked as copies are now stale: ${staleCopies.join(', ')}. Link again.`);
  return { ...r, staleCopies };
}

export const repoRunners: RunnersFor<
  'repo-check' | 'repo-pull' | 'repo-pin' | 'repo-unpin' | 'repo-rollback' | 'repo-clone' | 'repo-link'
> = {
  'repo-check': async (p, ctx) => {
    const cloneDir = toolkitCloneDir(p.dataRoot);
    await requireClone(cloneDir);
    await gate(p, 'checking for toolkit updates');
    await fetchOrigin(cloneDir, ctx);
    return pullPreview(cloneDir);
  },
  'repo-pull': async (p, ctx) => {
    await requireClone(toolkitCloneDir(p.dataRoot));
    await gate(p, 'pulling the toolkit');
    return pullAndReport(
      p.dataRoot,
      p.binDir,
      { stash: p.stash, ...(p.moveLocalTo ? { moveLocalTo: p.moveLocalTo } : {}) },
      ctx,
    );
  },
  'repo-pin': (p) => pinToTag(toolkitCloneDir(p.dataRoot), p.tag),
  'repo-unpin': async (p, ctx) => {
    await unpin(toolkitCloneDir(p.dataRoot));
    await gate(p, 'pulling the toolkit after unpinning');
    return pullAndReport(p.dataRoot, p.binDir, { stash: false }, ctx);
  },
  'repo-rollback': (p) => rollbackTo(toolkitCloneDir(p.dataRoot), p.ref, p.typed),
  'repo-clone': async (p, ctx) => {
    await gate(p, `cloning ${p.remote}`);
    return cloneToolkit(toolkitCloneDir(p.dataRoot), p.remote, ctx);
  },
  'repo-link': (p, ctx) => linkScripts({ ...p, pathVar: pathVar() }, ctx),
};
