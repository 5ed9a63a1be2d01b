import { KintsugiError } from '../../../shared/errors';
import type { FrameworkEntry } from '../../../shared/frameworks/entry';

// Who installs what without being asked: only a recommended entry from the recommended manifest. An `evaluating`
// entry, or any entry from the user's own file (which nobody reviewed for them), needs an explicit yes.

export function needsYes(entry: FrameworkEntry, source: 'recommended' | 'user'): boolean {
  return entry.status === 'evaluating' || source === 'user';
}

export function requireConsent(entry: FrameworkEntry, source: 'recommended' | 'user', yes: boolean): void {
  if (!needsYes(entry, source) || yes) return;
  const why = source === 'user' ? 'from your own manifest' : 'still being evaluated';
  throw new KintsugiError(
    'CONFIRMATION_REQUIRED',
    `${entry.name} is ${why}: install it only if you mean to (CLI: \`install ${entry.name} --yes\`; the page asks)`,
    {
      message: 'This framework installs only with an explicit yes.',
      hint: `Run it again with --yes to install ${entry.name} anyway.`,
    },
  );
}
