// apt-get --print-uris prints, for each file it would download, `'URI' FILE SIZE HASH` (the hash may be empty):
//   'http://deb.debian.org/debian/pool/main/s/systemd/systemd_252.22-1_amd64.deb' systemd_252.22-1_amd64.deb 3021324 SHA256:...
// A .deb file is named NAME_VERSION_ARCH.deb, so the package of each line is the file name up to its first `_`.
// Files already in the archive cache are not printed: nothing to download for them.

/** Bytes to download per package name. */
export function parsePrintUris(stdout: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const m = /^'[^']*' (\S+) (\d+)(?: |$)/.exec(line);
    if (!m || !m[1]!.endsWith('.deb')) continue;
    const name = m[1]!.split('_')[0]!;
    sizes.set(name, (sizes.get(name) ?? 0) + Number(m[2]));
  }
  return sizes;
}
