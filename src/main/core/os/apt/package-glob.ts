// The globs of manifests/os-relevant-packages.yaml: `*` is any run of characters, `?` one, everything else is
// itself. Package names cannot hold regex metacharacters other than `.` and `+` (Debian policy 5.6.1), which are
// escaped here, so a glob matches the whole name and nothing else.

/** apt package names (lower case, digits, + - .) with the glob characters * and ?. */
export const PACKAGE_GLOB = /^[a-z0-9*?][a-z0-9+.*?-]*$/;

export function globToRegExp(glob: string): RegExp {
  if (!PACKAGE_GLOB.test(glob)) throw new Error(`not a package glob: ${JSON.stringify(glob)}`);
  const body = glob.replace(/[.+]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** apt names a package with its architecture in some outputs (libc6:amd64): the bare name is what lists match. */
export function bareName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(0, colon);
}
