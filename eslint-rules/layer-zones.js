// The layering of src/, as data: which folder may import what (DESIGN.md "The house"). The rule that enforces it
// is layers.js; eslint.config.js hands it this table.
//
// `files` names the importing files; every import they make is turned into one address and checked:
//   - a relative import is resolved against the importing file: 'src/main/core/app/version' (a folder import
//     becomes '<folder>/index', so 'src/main/*' means the files directly in src/main, never a subfolder);
//   - a Node built-in is 'node:<module>', however the source spells it ('fs/promises' is 'node:fs');
//   - anything else is 'npm:<package>', by package name ('electron/main' is 'npm:electron', '@a/b/c' 'npm:@a/b').
// An address matching `forbid` is reported; with `allow`, so is one matching none of `allow`. Patterns are globs:
// '*' within one path segment, '**' across segments. `why` is shown with every report.

/** @typedef {{ name: string, files: string[], forbid?: string[], allow?: string[], why: string }} LayerZone */

/** The Electron shell: app, window, tray, IPC registration (src/main/*.ts). */
const SHELL = 'src/main/*';
/** The app and the CLI above core: the shell, the API handlers, the command line. */
const FACES = [SHELL, 'src/main/api/**', 'src/main/cli/**'];
/** The two out-of-process job hosts: the privileged helper and the unprivileged utility process. */
const HELPER = 'src/main/helper/**';
const UTILITY = 'src/main/utility/**';

/** @type {LayerZone[]} */
export const LAYER_ZONES = [
  {
    name: 'shared',
    files: ['src/shared/**'],
    forbid: ['src/main/**', 'src/preload/**', 'src/renderer/**', 'node:*', 'npm:electron'],
    why: 'src/shared is the contract all three sides import, the sandboxed renderer and preload included',
  },
  {
    name: 'core',
    files: ['src/main/core/**'],
    forbid: [
      ...FACES,
      HELPER,
      UTILITY,
      'src/main/job-host/**',
      'src/preload/**',
      'src/renderer/**',
      'npm:electron',
    ],
    why: 'core is plain Node shared by the app, the CLI, the helper and the utility process; they import it, never the reverse',
  },
  {
    name: 'renderer',
    files: ['src/renderer/**'],
    allow: ['src/renderer/**', 'src/shared/**', 'npm:**'],
    forbid: ['npm:electron'],
    why: 'the renderer is a sandboxed web page: it reaches main only through window.kintsugi (the preload)',
  },
  {
    name: 'preload',
    files: ['src/preload/**'],
    allow: ['src/preload/**', 'src/shared/**', 'npm:electron'],
    why: 'a sandboxed preload can require only electron; it forwards the contract and nothing else',
  },
  {
    name: 'cli and api',
    files: ['src/main/cli/**', 'src/main/api/**'],
    forbid: [SHELL, 'npm:electron'],
    why: 'the CLI runs under plain Node and the API handlers are served to the e2e harness without Electron',
  },
  {
    name: 'cli',
    files: ['src/main/cli/**'],
    forbid: [HELPER, 'src/main/api/**'],
    why: 'the CLI runs core itself, as root under sudo; it neither starts the helper nor goes through the app API',
  },
  {
    name: 'helper',
    files: ['src/main/helper/**'],
    forbid: [...FACES, UTILITY, 'npm:electron'],
    why: 'the privileged helper is a separate plain-Node process that runs core jobs, nothing of the app, the CLI or the other host',
  },
  {
    name: 'utility',
    files: ['src/main/utility/**'],
    forbid: [...FACES, HELPER, 'npm:electron'],
    why: 'the utility process runs unprivileged core jobs, also as a plain Node child; it carries nothing of the app, the CLI or the privileged helper',
  },
  {
    name: 'job-host',
    files: ['src/main/job-host/**'],
    forbid: [...FACES, HELPER, UTILITY, 'npm:electron'],
    why: 'the job-host protocol is shared by both hosts and their clients, so it knows none of them (and no Electron)',
  },
];
