// OLLAMA_HOST read the way the Ollama server and CLI read it (envconfig.Host in ollama/ollama), so Kintsugi talks to
// the same address `ollama` itself would: quotes and spaces trimmed, scheme defaulting to http, a missing host to
// 127.0.0.1, a missing or invalid port to 11434 (80/443 when the scheme is given), and an optional base path.

const DEFAULT_PORT = '11434';

/** The base URL (no trailing slash) for an OLLAMA_HOST value; undefined or empty means the default. */
export function parseOllamaHost(value: string | undefined): string {
  const s = (value ?? '').trim().replace(/^["']+|["']+$/g, '');
  let scheme = 'http';
  let hostport = s;
  let defaultPort = DEFAULT_PORT;
  const sep = s.indexOf('://');
  if (sep === -1) {
    if (s === 'ollama.com') [scheme, hostport] = ['https', 'ollama.com:443'];
  } else {
    scheme = s.slice(0, sep);
    hostport = s.slice(sep + 3);
    if (scheme === 'http') defaultPort = '80';
    else if (scheme === 'https') defaultPort = '443';
  }
  const slash = hostport.indexOf('/');
  const path = slash === -1 ? '' : hostport.slice(slash + 1);
  if (slash !== -1) hostport = hostport.slice(0, slash);

  const split = splitHostPort(hostport);
  // Go's SplitHostPort failed: the whole thing is a host (or empty), the port is the default.
  let [host, port] = split ?? [hostport.replace(/^\[|\]$/g, ''), defaultPort];
  // `:11434` leaves the host empty; Ollama's own client then dials the local machine.
  if (host === '') host = '127.0.0.1';
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) port = defaultPort;
  const h = host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${h}:${port}${path ? `/${path}` : ''}`;
}

/** Go's net.SplitHostPort for the cases OLLAMA_HOST meets: `host:port`, `[v6]:port`, `:port`; else undefined. */
function splitHostPort(hp: string): [string, string] | undefined {
  if (hp.startsWith('[')) {
    const m = /^\[([^\]]*)\]:([^:]*)$/.exec(hp);
    return m ? [m[1]!, m[2]!] : undefined;
  }
  const i = hp.lastIndexOf(':');
  if (i === -1 || hp.indexOf(':') !== i) return undefined;
  return [hp.slice(0, i), hp.slice(i + 1)];
}
