// A deployment's origin file (`ostree/deploy/<os>/deploy/<checksum>.<serial>.origin`) is a GKeyFile: what the
// deployment follows (`[origin] refspec=`, or `baserefspec=` when rpm-ostree layered packages on it, or
// `container-image-reference=` for an ostree container) and, since 2018.3, `[libostree-transient] pinned=true`.
// It is the machine-readable source for both; the status text is only a cross-check.

export interface Origin {
  refspec?: string;
  pinned: boolean;
}

export function parseOriginFile(text: string): Origin {
  let group = '';
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const g = /^\[(.+)\]$/.exec(line);
    if (g) {
      group = g[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) values.set(`${group}.${line.slice(0, eq).trim()}`, line.slice(eq + 1).trim());
  }
  const refspec =
    values.get('origin.refspec') ??
    values.get('origin.baserefspec') ??
    values.get('origin.container-image-reference');
  return { ...(refspec ? { refspec } : {}), pinned: values.get('libostree-transient.pinned') === 'true' };
}

/** `remote:ref` or a local `ref`; the remote is what a check pulls from. */
export function splitRefspec(refspec: string): { remote?: string; ref: string } {
  const i = refspec.indexOf(':');
  return i > 0 ? { remote: refspec.slice(0, i), ref: refspec.slice(i + 1) } : { ref: refspec };
}
