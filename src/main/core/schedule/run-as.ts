import { readFile, stat } from 'node:fs/promises';
import { toolkitCloneDir } from '../layers/data-layout';

// Who the scheduled tasks run as: the owner of the toolkit clone (else of the data root), so a root timer never
// leaves root-owned files in a person's clone that their own next pull could not replace.

export async function scheduleRunAs(dataRoot: string): Promise<{ uid: number; userName: string }> {
  const st =
    (await stat(toolkitCloneDir(dataRoot)).catch(() => null)) ?? (await stat(dataRoot).catch(() => null));
  const uid = st?.uid ?? 0;
  return { uid, userName: await userNameOf(uid) };
}

/** The login name of UID from /etc/passwd (cron.d wants a name); the number itself when it has none. */
export async function userNameOf(uid: number, passwd = '/etc/passwd'): Promise<string> {
  const text = await readFile(passwd, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && Number(id) === uid && id !== '') return name;
  }
  return String(uid);
}
