// Parses the text of `ostree admin status` (ostree 2022.7 has no --json; src/ostree/ot-admin-builtin-status.c).
// A deployment is one line `<mark> <osname> <checksum>.<serial>[ (pending)][ (rollback)][ (staged)]`, where the
// mark is `*` for the booted one, then indented `Key: value` lines (Version, Pinned, origin refspec). The order is
// the bootloader order: the first is the default at the next boot. Lines we do not know are ignored, so a newer
// ostree that adds lines still parses.

export interface StatusEntry {
  index: number;
  osName: string;
  checksum: string;
  serial: number;
  booted: boolean;
  staged: boolean;
  pending: boolean;
  rollback: boolean;
  pinned: boolean;
  version?: string;
  refspec?: string;
}

const HEAD = /^([* ]) (\S+) ([0-9a-f]{64})\.(\d+)((?: \([a-z ]+\))*)\s*$/;

export function parseAdminStatus(text: string): StatusEntry[] {
  const out: StatusEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const head = HEAD.exec(line);
    if (head) {
      const marks = head[5] ?? '';
      out.push({
        index: out.length,
        osName: head[2]!,
        checksum: head[3]!,
        serial: Number(head[4]),
        booted: head[1] === '*',
        staged: marks.includes('(staged)'),
        pending: marks.includes('(pending)'),
        rollback: marks.includes('(rollback)'),
        pinned: false,
      });
      continue;
    }
    const cur = out.at(-1);
    const kv = /^\s{2,}([A-Za-z][A-Za-z ]*): (.*)$/.exec(line);
    if (!cur || !kv) continue;
    const [, key, value] = kv;
    if (key === 'Version') cur.version = value!.trim();
    else if (key === 'Pinned') cur.pinned = value!.trim() === 'yes';
    else if (key === 'origin refspec') cur.refspec = value!.trim();
  }
  return out;
}
