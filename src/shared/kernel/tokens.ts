import { z } from 'zod';
import { KintsugiError } from '../errors';

// The plain tokens of the fleet model. A host name becomes fleet/<host>.yaml and out/<host>/, a series name a
// folder under patches/<scope>/, a package field a word in a PKGBUILD: each is a whitelist pattern that cannot
// become a path step (no "/" or ".."), an option (no leading "-") or a shell word (no spaces, quotes, $ ; | &).

const noDotDot = (s: string) => !s.includes('..');

/** A host: letters, digits, - and _ (a DNS label with underscores), starting with a letter or digit. */
export const hostName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be a plain host name (letters, digits, - and _)');

/** Refuses a host name that is not a plain token, before it becomes a path. */
export function checkHostName(host: string): string {
  const r = hostName.safeParse(host);
  if (!r.success)
    throw new KintsugiError(
      'INVALID_ARGUMENT',
      `host ${JSON.stringify(host)}: ${r.error.issues[0]?.message}`,
      {
        hint: 'A host is the name of its fleet/<host>.yaml file: letters, digits, - and _.',
      },
    );
  return r.data;
}

/** A series folder name under patches/<scope>/. */
export const seriesName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be a plain series name (letters, digits, . _ + -)')
  .refine(noDotDot, 'must not contain ".."');

/** pkgbase / pkgname as makepkg accepts them (lower-case, no leading - or .). */
export const pkgName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9_@+][a-z0-9_@+.-]*$/, 'must be a package name (lower-case letters, digits, @ . _ + -)');

/** pkgver: no "-", ":", "/" or spaces (makepkg's rule), and here no ".." either. */
export const pkgVer = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+]*$/, 'must be a version (letters, digits, . _ +; no "-" or ":")')
  .refine(noDotDot, 'must not contain ".."');

/** A git ref or tag as written in a manifest: refname characters only. */
export const gitRefToken = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/+-]*$/, 'must be a git ref (letters, digits, . _ / + -)')
  .refine((s) => noDotDot(s) && !s.endsWith('/') && !s.endsWith('.lock'), 'is not a valid git ref');
