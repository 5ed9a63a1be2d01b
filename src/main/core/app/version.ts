import pkg from '../../../../package.json';

/**
 * The app version, inlined from package.json at build time. Every process reports this one: `kintsugi --version`,
 * the helper in its 'ready' line (so the client can spot a helper left over from another version).
 */
export const APP_VERSION: string = pkg.version;
