import { rpmOstree } from './run-rpm-ostree';
import { parseStatusJson, type RpmOstreeStatus } from './status-json';

export async function readStatus(
  signal: AbortSignal | undefined,
  sysrootArgs: readonly string[] = [],
): Promise<RpmOstreeStatus> {
  const r = await rpmOstree(['status', '--json', ...sysrootArgs], { ...(signal ? { signal } : {}) });
  return parseStatusJson(r.stdout);
}
