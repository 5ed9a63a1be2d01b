import type { HostManifest } from '../../../shared/kernel/model';

// Placeholder until the fleet model lands (issue 10): the loader's name and signature are the contract.
// Reads <workspace>/fleet/<host>.yaml, validates it, errors with file:line:column.
export async function loadHostManifest(workspace: string, host: string): Promise<HostManifest> {
  throw new Error(`the fleet manifest loader is not built yet (${workspace}, ${host})`);
}
