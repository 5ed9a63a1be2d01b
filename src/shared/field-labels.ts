// What a request field is called on screen and in the CLI's words, so a refused value is named the way the person
// knows it ("Checksum file: must be an absolute path…"), not by its key in a schema.

const LABELS: Record<string, string> = {
  source: 'Image file',
  sha256File: 'Checksum file',
  minisigFile: 'Signature file',
  pubkey: 'minisign public key',
  device: 'Drive',
  backupDir: 'Backup folder',
  dataRoot: 'Data folder',
  cacheDir: 'Download cache folder',
  typed: 'Typed device name',
  path: 'Folder',
  dir: 'Folder',
  step: 'Step',
  route: 'Page',
  purpose: 'Chooser',
  jobId: 'Job',
  tag: 'Release tag',
  ref: 'Earlier HEAD',
  moveLocalTo: 'Branch for your local commits',
  repoRemote: 'Toolkit remote',
  binDir: 'Bin folder',
  metered: 'Metered network',
};

/** The label of the field at PATH (zod's issue path), or the key itself when it has none. */
export function fieldLabel(path: ReadonlyArray<PropertyKey>): string {
  const key = [...path].reverse().find((k) => typeof k === 'string');
  return key === undefined ? 'The request' : (LABELS[key as string] ?? String(key));
}
