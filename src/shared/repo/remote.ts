// The toolkit's remote when the setting `repoRemote` is empty: the one the toolkit's own guide clones from
// (kintsugi-usb docs/toolkit-guide.md, "clone it now"). The setting or `kintsugi repo clone --remote URL` replace it.
export const DEFAULT_TOOLKIT_REMOTE = 'https://git.integrolabs.net/roctinam/kintsugi-usb.git';

/** The bin folder scripts are linked into when the setting `binDir` is empty. */
export const DEFAULT_BIN_DIR = '/usr/local/bin';
