import { API_ARGS, type ApiMethod, type ApiResponse, type KintsugiApi } from '../../shared/contract';
import { KintsugiError, toErrorPayload } from '../../shared/errors';
import type { JobRequest } from '../../shared/jobs';
import type { WizardState } from '../../shared/model';
import type { HandlerDeps } from './deps';
import { freeSpace } from './free-space';

// The ONE implementation of the contract. ipc.ts registers it on ipcMain; the e2e harness serves it over HTTP.
// Every entry validates its arguments with API_ARGS first, so a bad payload never reaches core.

export function validateArgs<M extends ApiMethod>(method: M, args: unknown): unknown[] {
  const schema = API_ARGS[method];
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(arguments)';
    throw new KintsugiError('INVALID_ARGUMENT', `${method}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data as unknown[];
}

export function createHandlers<E>(deps: HandlerDeps<E>): KintsugiApi {
  const impl: KintsugiApi = {
    getSettings: () => deps.settings.load(),
    saveSettings: (patch) => deps.settings.save(patch),
    async listDrives(req) {
      // The loop opt-in comes from the request when given, else from the saved setting.
      const includeLoop = req.includeLoop ?? (await deps.settings.load()).includeLoop;
      return deps.listDrives({ includeLoop, imageSize: req.imageSize, imagePath: req.imagePath });
    },
    async startJob(req: JobRequest) {
      const executor = await deps.executorFor(req);
      const jobId = await deps.jobRunner.start(req, executor);
      return { jobId };
    },
    async cancelJob({ jobId }) {
      return { cancelled: Boolean(await deps.jobRunner.cancel(jobId)) };
    },
    async getJob({ jobId }) {
      return (await deps.jobRunner.status(jobId)) ?? null;
    },
    listBackups: ({ dir }) => deps.listBackups(dir),
    getWizardState: () => deps.wizard.load(),
    saveWizardState: (state: WizardState) => deps.wizard.save(state),
    resetWizard: () => deps.wizard.reset(),
    getFreeSpace: ({ path }) => freeSpace(path),
    pickPath: ({ purpose }) => deps.pickPath(purpose),
  };

  const validated = {} as Record<ApiMethod, (...args: unknown[]) => Promise<unknown>>;
  for (const method of Object.keys(API_ARGS) as ApiMethod[]) {
    const fn = impl[method] as (...args: unknown[]) => Promise<unknown>;
    validated[method] = async (...args: unknown[]) => fn(...validateArgs(method, args));
  }
  return validated as unknown as KintsugiApi;
}

/** Runs one call and wraps the outcome so an error keeps its code across IPC or HTTP. Never throws. */
export async function invokeHandler(
  api: KintsugiApi,
  method: string,
  args: unknown,
): Promise<ApiResponse<unknown>> {
  try {
    if (!Object.prototype.hasOwnProperty.call(API_ARGS, method)) {
      throw new KintsugiError('INVALID_ARGUMENT', `unknown method: ${method}`);
    }
    if (!Array.isArray(args))
      throw new KintsugiError('INVALID_ARGUMENT', `${method}: arguments must be an array`);
    const fn = api[method as ApiMethod] as (...a: unknown[]) => Promise<unknown>;
    return { ok: true, value: await fn(...args) };
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  }
}
