import type { OsRelease } from '../../../shared/os/model';
import { readUnderRoot } from './under-root';

// The OS release of a root, for every OS backend (apt, ostree, rpm-ostree): os-release(5) from /etc/os-release,
// else /usr/lib/os-release, plus the first line of a vendor release file when there is one. Read under the root
// the backend works on (see under-root.ts), never the host's when the root is another.

/** Vendor files, most specific first: the first that exists is shown. */
export const VENDOR_RELEASE_FILES = ['/etc/kintsugi-release', '/etc/debian_version'] as const;

/**
 * os-release(5) text -> its variables. Lines are KEY=VALUE; blank lines and lines starting with # are ignored;
 * a value may be in double or single quotes; inside double quotes (and unquoted) a backslash escapes $ " \ and `;
 * a line that is none of these is skipped, as the spec asks of readers.
 */
export function parseOsRelease(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const value = unquote(m[2]!);
    if (value !== undefined) vars.set(m[1]!, value);
  }
  return vars;
}

/** A shell-style value (quoted or not) -> its text; undefined when a double quote is not closed at the end. */
function unquote(v: string): string | undefined {
  if (v.startsWith("'")) return v.length >= 2 && v.endsWith("'") ? v.slice(1, -1) : undefined;
  const quoted = v.startsWith('"');
  let out = '';
  for (let i = quoted ? 1 : 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\' && i + 1 < v.length && '$"\\`'.includes(v[i + 1]!)) out += v[++i];
    else if (quoted && c === '"') return i === v.length - 1 ? out : undefined;
    else out += c;
  }
  return quoted ? undefined : out;
}

/** The OsRelease shown for VARS (+ the vendor file), naming the system even when os-release says little. */
export function toOsRelease(vars: Map<string, string>, vendor?: OsRelease['vendor']): OsRelease {
  const named = [vars.get('NAME'), vars.get('VERSION')].filter(Boolean).join(' ');
  return {
    ...(vars.get('ID') ? { id: vars.get('ID') } : {}),
    prettyName: vars.get('PRETTY_NAME') || named || 'Linux (no os-release file)',
    ...(vars.get('VERSION_ID') ? { versionId: vars.get('VERSION_ID') } : {}),
    ...(vendor ? { vendor } : {}),
  };
}

/** The release of the system at ROOT (/ for the running one). */
export async function readOsRelease(root: string): Promise<OsRelease> {
  const text =
    (await readUnderRoot(root, '/etc/os-release')) ??
    (await readUnderRoot(root, '/usr/lib/os-release')) ??
    '';
  let vendor: OsRelease['vendor'];
  for (const file of VENDOR_RELEASE_FILES) {
    const body = await readUnderRoot(root, file);
    const first = body?.split('\n')[0]?.trim();
    if (first) {
      vendor = { file, text: first };
      break;
    }
  }
  return toOsRelease(parseOsRelease(text), vendor);
}
