import { KintsugiError, toErrorPayload } from '../../shared/errors';
import { fieldLabel } from '../../shared/field-labels';
import type { ApiResponse } from '../../shared/ipc/envelope';
import { API_ENTRIES, DOMAINS, type DomainName, type KintsugiApi } from '../../shared/registry';
import { appHandlers } from './app-handlers';
import { backupHandlers } from './backup-handlers';
import type { HandlerDeps } from './deps';
import { drivesHandlers } from './drives-handlers';
import { frameworksHandlers } from './frameworks-handlers';
import { jobsHandlers } from './jobs-handlers';
import { kernelHandlers } from './kernel-handlers';
import { modelsHandlers } from './models-handlers';
import { osHandlers } from './os-handlers';
import { reflashHandlers } from './reflash-handlers';
import { repoHandlers } from './repo-handlers';
import { scheduleHandlers } from './schedule-handlers';

// The ONE implementation of the contract, composed of one handler group per domain. ipc.ts registers it on
// ipcMain; the e2e harness serves it over HTTP. Every entry validates its arguments against the domain's
// declared schema first, so a bad payload never reaches core.

export function createHandlers(deps: HandlerDeps): KintsugiApi {
  const groups: KintsugiApi = {
    app: appHandlers(deps),
    drives: drivesHandlers(deps),
    image: {},
    flash: {},
    backup: backupHandlers(deps),
    reflash: reflashHandlers(deps),
    jobs: jobsHandlers(deps),
    frameworks: frameworksHandlers(deps),
    repo: repoHandlers(deps),
    schedule: scheduleHandlers(deps),
    models: modelsHandlers(deps),
    os: osHandlers(deps),
    kernel: kernelHandlers(deps),
  };
  const validated = {} as Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>;
  for (const [domain, method] of API_ENTRIES) {
    const fn = (groups[domain] as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    (validated[domain] ??= {})[method] = async (...args: unknown[]) =>
      fn(...validateArgs(domain, method, args));
  }
  for (const domain of Object.keys(DOMAINS)) validated[domain] ??= {};
  return validated as unknown as KintsugiApi;
}

export function validateArgs(domain: DomainName, method: string, args: unknown): unknown[] {
  const spec = (DOMAINS[domain].methods as Record<string, { args: import('zod').ZodType } | undefined>)[
    method
  ];
  if (!spec) throw new KintsugiError('INVALID_ARGUMENT', `unknown method: ${domain}.${method}`);
  const parsed = spec.args.safeParse(args);
  if (!parsed.success) {
    // Named as the person knows the field; which call and which key go to the log, in the cause.
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(arguments)';
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `${fieldLabel(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`,
      {
        cause: `${domain}.${method}: ${where}`,
      },
    );
  }
  return parsed.data as unknown[];
}

/** Runs one call named "domain.method" and wraps the outcome so an error keeps its code across IPC or HTTP. */
export async function invokeHandler(
  api: KintsugiApi,
  name: string,
  args: unknown,
): Promise<ApiResponse<unknown>> {
  try {
    const entry = API_ENTRIES.find(([d, m]) => `${d}.${m}` === name);
    if (!entry) throw new KintsugiError('INVALID_ARGUMENT', `unknown method: ${name}`);
    if (!Array.isArray(args))
      throw new KintsugiError('INVALID_ARGUMENT', `${name}: arguments must be an array`);
    const [domain, method] = entry;
    const fn = (api[domain] as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    return { ok: true, value: await fn(...args) };
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  }
}
