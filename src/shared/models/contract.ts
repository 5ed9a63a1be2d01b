import { meteredParams } from '../network/metered';
import { z } from 'zod';
import { domain, job, method, produced } from '../ipc/define';
import type { ManifestProblem } from '../manifest-problem';
import { absolutePath } from '../paths';
import { modelFileArg, modelSlugArg } from './tokens';

// Layer 2, models: the union of the recommended and the user's manifests with what is on disk and on the Ollama
// server, and pull / verify / remove as jobs. The page sends a slug; main and the job look the entry up in their
// own manifests, so no URL or path ever comes from the renderer. Everything runs unprivileged (utility host).

export type { ManifestProblem } from '../manifest-problem';

/** What a GGUF file's header says (read from the file itself, not the manifest). */
export interface GgufInfo {
  version: number;
  architecture?: string;
  /** e.g. Q4_K_M, from general.file_type. */
  quantization?: string;
  /** Summed over the tensor infos (element counts). */
  parameterCount?: number;
  contextLength?: number;
}

/**
 * recommended: only in the recommended manifest; shadowed: in both, the user's entry wins; user-only: only the
 * user's; unlisted: on disk or on the server, named by no manifest.
 */
export type ModelFrom = 'recommended' | 'shadowed' | 'user-only' | 'unlisted';
export type ModelStatus = 'installed' | 'missing' | 'partial' | 'corrupt' | 'unknown';

export interface ModelRow {
  slug: string;
  from: ModelFrom;
  source: 'ollama' | 'huggingface';
  /** The manifest's status (recommended / evaluating); absent for unlisted. */
  tier?: 'recommended' | 'evaluating';
  status: ModelStatus;
  /** Why: the partial's percentage, what is corrupt, why the Ollama side is unknown. */
  statusDetail?: string;
  /** 0..100, for a partial download with a known size. */
  percent?: number;
  /** Bytes on disk now (the file, the .incomplete, or Ollama's layer sum). */
  sizeOnDisk?: number;
  /** Bytes the manifest (or the last response) says the whole file has. */
  expectedSize?: number;
  /** The GGUF file's path, for huggingface rows and unlisted files. */
  path?: string;
  gguf?: GgufInfo;
  notes?: string;
}

export type OllamaSide =
  { reachable: true; host: string } | { reachable: false; host: string; reason: string };

export interface ModelsList {
  models: ModelRow[];
  ollama: OllamaSide;
  problems: ManifestProblem[];
  recommendedFile: { path: string; from: 'clone' | 'shipped' };
  userFile: string;
  modelsDir: string;
}

/** For the page's header and the home card: the filesystem holding the models, and the counts. */
export interface ModelsStorageSummary {
  mountPoint: string;
  totalBytes: number;
  usedBytes: number;
  usedPercent: number;
  warnPercent: number;
  refusePercent: number;
  ggufBytes: number;
  ollamaBytes?: number;
  installed: number;
  missing: number;
  partial: number;
  corrupt: number;
}

/** `pull --missing` asks first: what it would fetch and how much is known. */
export interface MissingPlan {
  slugs: string[];
  /** Sum of the known sizes; `unknownSizes` lists the ones the manifest gives no size for. */
  totalBytes: number;
  unknownSizes: string[];
}

export interface PullResult {
  slug: string;
  source: 'ollama' | 'huggingface';
  path?: string;
  bytes: number;
  sha256?: string;
  /** Bytes this job fetched (a resume fetches only the rest). */
  fetched: number;
  resumedFrom: number;
  /** Bytes a resume read back from disk to carry the sha256 (those past the record's saved hash state). */
  reread: number;
  warnings: string[];
}

export type VerifyOutcome = 'ok' | 'mismatch' | 'unverifiable' | 'missing' | 'failed';
export interface VerifyRow {
  slug: string;
  outcome: VerifyOutcome;
  detail?: string;
}
export interface VerifyResult {
  models: VerifyRow[];
}

export interface RemoveResult {
  slug: string;
  entryRemoved: boolean;
  weightsDeleted: string[];
}

/** A pull downloads: it carries the metered gate's fields (the person's yes, the setting). */
export const pullParams = z.strictObject({ dataRoot: absolutePath, slug: modelSlugArg, ...meteredParams });
export const verifyParams = z.strictObject({
  dataRoot: absolutePath,
  slugs: z.array(modelSlugArg).max(200),
  /** Every entry, not only the installed recommended ones. */
  all: z.boolean().default(false),
});
export const removeParams = z.strictObject({
  dataRoot: absolutePath,
  /** A slug, or the file name of a GGUF file no manifest names. */
  slug: z.union([modelSlugArg, modelFileArg]),
  deleteWeights: z.boolean().default(false),
  /** The file name typed back, required to delete a file no manifest entry names. */
  typed: z.string().max(255).optional(),
});
export type PullParams = z.output<typeof pullParams>;
export type VerifyParams = z.output<typeof verifyParams>;
export type RemoveParams = z.output<typeof removeParams>;

export const modelsContract = domain({
  methods: {
    list: method(z.tuple([]), produced<ModelsList>()),
    summary: method(z.tuple([]), produced<ModelsStorageSummary>()),
    /** What `pull --missing` would fetch; the page shows the total and asks before pulling each. */
    missing: method(z.tuple([]), produced<MissingPlan>()),
    pull: method(
      z.tuple([
        z.strictObject({
          slug: modelSlugArg,
          /** The person's yes to downloading on a metered network (asked before, or after NETWORK_METERED). */
          allowMetered: z.boolean().default(false),
        }),
      ]),
      produced<{ jobId: string }>(),
    ),
    verify: method(
      z.tuple([
        z.strictObject({
          slugs: z.array(modelSlugArg).max(200).default([]),
          all: z.boolean().default(false),
        }),
      ]),
      produced<{ jobId: string }>(),
    ),
    remove: method(
      z.tuple([
        z.strictObject({
          slug: z.union([modelSlugArg, modelFileArg]),
          deleteWeights: z.boolean().default(false),
          typed: z.string().max(255).optional(),
        }),
      ]),
      produced<{ jobId: string }>(),
    ),
  },
  jobs: {
    'models-pull': job({
      title: 'Pull a model',
      host: 'utility',
      params: pullParams,
      result: produced<PullResult>(),
    }),
    'models-verify': job({
      title: 'Verify models',
      host: 'utility',
      params: verifyParams,
      result: produced<VerifyResult>(),
    }),
    'models-remove': job({
      title: 'Remove a model',
      host: 'utility',
      params: removeParams,
      result: produced<RemoveResult>(),
    }),
  },
});
