import { KintsugiError } from '../../../shared/errors';
import {
  systemInstallParams,
  systemUninstallParams,
  type SystemInstallParams,
  type SystemUninstallParams,
} from '../../../shared/frameworks/contract';
import { quietContext } from '../jobs/context';
import { simulatedRemovals } from './recipes/apt';
import type { FrameworkTools } from './tools';

// What the privileged helper checks on its own before it runs a framework's apt or .deb recipe as root (wired in
// src/main/helper/authorize.ts). The job's params are parsed again with the schemas, so every package name and
// URL is a safe token whatever process built the request; an uninstall must remove exactly the package named
// (apt's own simulation, read here, before anything runs). A .deb's sha256 is computed by the recipe itself, in the
// helper, on the file it downloaded into a folder only root can write (recipes/deb.ts).

const refuse = (detail: string) =>
  new KintsugiError('INVALID_ARGUMENT', detail, {
    hint: 'Install frameworks from the catalog; the helper runs nothing else.',
  });

export function checkSystemInstall(params: unknown): SystemInstallParams {
  const parsed = systemInstallParams.safeParse(params);
  if (!parsed.success)
    throw refuse(
      `framework-install-system: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export async function checkSystemUninstall(
  params: unknown,
  tools: FrameworkTools,
): Promise<SystemUninstallParams> {
  const parsed = systemUninstallParams.safeParse(params);
  if (!parsed.success)
    throw refuse(
      `framework-uninstall-system: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const removals = await simulatedRemovals(parsed.data.package, quietContext(), tools).catch(
    (err: unknown) => {
      throw refuse(`apt cannot plan the removal of ${parsed.data.package}: ${(err as Error).message}`);
    },
  );
  if (removals.length !== 1 || removals[0] !== parsed.data.package)
    throw refuse(
      removals.length === 0
        ? `${parsed.data.package} is not installed`
        : `removing ${parsed.data.package} would remove ${removals.join(', ')}: the helper removes exactly one package`,
    );
  return parsed.data;
}
