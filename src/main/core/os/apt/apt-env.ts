// The one environment apt and dpkg run with, whoever calls: nothing inherited from the caller (no APT_CONFIG that
// would point apt elsewhere, no locale that would translate the lines we parse, no PAGER, no proxy we did not
// choose beyond the caller's own proxy settings, which apt honours and a firewalled machine needs), C locale, no questions (noninteractive, no apt-listchanges/apt-listbugs pager), and a PATH with the sbin
// folders dpkg checks for (ldconfig, start-stop-daemon).

export const APT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const PROXY = ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'];

export function aptEnv(aptConfig?: string, caller: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const proxies = Object.fromEntries(PROXY.flatMap((k) => (caller[k] ? [[k, caller[k]]] : [])));
  return {
    ...proxies,
    PATH: APT_PATH,
    LC_ALL: 'C',
    LANG: 'C',
    DEBIAN_FRONTEND: 'noninteractive',
    APT_LISTCHANGES_FRONTEND: 'none',
    APT_LISTBUGS_FRONTEND: 'none',
    ...(aptConfig ? { APT_CONFIG: aptConfig } : {}),
  };
}
