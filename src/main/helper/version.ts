import pkg from '../../../package.json';

/** The app version, inlined at build time; the helper reports it in 'ready' so the client can spot a mismatch. */
export const APP_VERSION: string = pkg.version;
