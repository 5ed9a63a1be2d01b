import { resolve } from 'node:path';

// The README shows screenshots committed under docs/screenshots. An ordinary test run must not rewrite them
// (every run would leave the worktree dirty with pixel noise), so it writes to out/screenshots (ignored by git),
// and only `npm run screenshots` (KINTSUGI_REFRESH_SCREENSHOTS=1) refreshes the committed ones.

export const REFRESH_SCREENSHOTS_ENV = 'KINTSUGI_REFRESH_SCREENSHOTS';

/** Where the e2e test saves its screenshots. */
export function screenshotsDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[REFRESH_SCREENSHOTS_ENV] === '1' ? 'docs/screenshots' : 'out/screenshots');
}
