import { mkdir } from 'node:fs/promises';
import { KintsugiError } from '../../../shared/errors';
import type { PullParams, PullResult } from '../../../shared/models/contract';
import type { JobContext } from '../jobs/context';
import { userModelsDir } from '../layers/data-layout';
import { findModel, ggufPath, loadModels } from './catalog';
import { downloadFile, type DownloadOptions } from './download';
import { fsUsage } from './fs-usage';
import { hfResolveUrl } from './hf-url';
import type { OllamaBackend } from './ollama-backend';
import { acquirePullLock } from './pull-lock';
import { checkStorage, guardLimits } from './storage-guard';

// One pull, dispatched by the entry's source: a Hugging Face GGUF file through the resumable download, an Ollama
// model through the backend. The storage guard is asked first in both cases, and again as a download grows.
// The job looks its entry up in the manifests itself: its params are a data root and a slug, nothing more.

export interface PullDeps {
  ollama: () => OllamaBackend;
  env?: NodeJS.ProcessEnv;
  /** Test and bench knobs for the download (stall watchdog, back-off, checkpoints). */
  download?: Pick<
    DownloadOptions,
    | 'stallMs'
    | 'retries'
    | 'backoffMs'
    | 'checkpointBytes'
    | 'durableEveryBytes'
    | 'guardEveryBytes'
    | 'hashPauseAt'
  >;
}

/** The pull itself; the metered gate ran before it (jobs.ts), so only what names the model is needed here. */
export async function pullModel(
  p: Pick<PullParams, 'dataRoot' | 'slug'>,
  ctx: JobContext,
  deps: PullDeps,
): Promise<PullResult> {
  const env = deps.env ?? process.env;
  const limits = guardLimits(env);
  const entry = findModel(await loadModels(p.dataRoot), p.slug).value;
  const dir = userModelsDir(p.dataRoot);
  await mkdir(dir, { recursive: true });

  if (entry.source === 'ollama') {
    const before = checkStorage(await fsUsage(p.dataRoot), entry.size ?? 0, limits, entry.size);
    if (before.warning) ctx.log(before.warning);
    const m = await deps.ollama().pull(entry.slug, ctx);
    return {
      slug: entry.slug,
      source: 'ollama',
      bytes: m.size,
      sha256: m.digest,
      fetched: m.size,
      resumedFrom: 0,
      reread: 0,
      warnings: before.warning ? [before.warning] : [],
    };
  }

  const dest = ggufPath(p.dataRoot, entry.file!);
  const lock = await acquirePullLock(`${dest}.lock`, entry.slug);
  try {
    const out = await downloadFile(
      {
        url: hfResolveUrl({ repo: entry.repo!, revision: entry.revision, file: entry.file! }, env),
        ...(entry.revision ? { revision: entry.revision } : {}),
        dest,
        ...(entry.size !== undefined ? { expectedSize: entry.size } : {}),
        ...(entry.sha256 ? { expectedSha256: entry.sha256 } : {}),
      },
      {
        ctx,
        env,
        ...deps.download,
        async guard(remaining, fileBytes) {
          return checkStorage(await fsUsage(dir), remaining, limits, fileBytes).warning;
        },
      },
    );
    ctx.log(
      out.resumedFrom > 0
        ? `Resumed at byte ${out.resumedFrom} (${out.reread} re-read from disk for the sha256); fetched ${out.fetched} of ${out.bytes} bytes.`
        : `Fetched ${out.fetched} bytes.`,
    );
    return {
      slug: entry.slug,
      source: 'huggingface',
      path: dest,
      bytes: out.bytes,
      sha256: out.sha256,
      fetched: out.fetched,
      resumedFrom: out.resumedFrom,
      reread: out.reread,
      warnings: out.warnings,
    };
  } catch (err) {
    if (err instanceof KintsugiError) throw err;
    throw new KintsugiError('MODEL_DOWNLOAD_FAILED', `${entry.slug}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await lock.release();
  }
}
