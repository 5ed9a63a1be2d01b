// The toolkit's remote when the setting `repoRemote` is empty. The guide's own URL was not available when this
// was written: this placeholder is named as such, and `kintsugi repo clone --remote URL` or the setting replace it.
export const DEFAULT_TOOLKIT_REMOTE_PLACEHOLDER = 'https://github.com/kintsugi-os/kintsugi-usb.git';

/** The bin folder scripts are linked into when the setting `binDir` is empty. */
export const DEFAULT_BIN_DIR = '/usr/local/bin';
