import { z } from 'zod';

// The words a manifest may hand to a subprocess: a framework's name, an npm or pipx package spec, a Debian package,
// a binary, a VS Code extension id, a download URL. Each is a whitelist pattern, never a blacklist: a value that
// could be read as an option (leading '-'), a shell word (`;`, `$(...)`, a space) or a path step (`/`, `..`) does
// not match, so it is refused at the manifest and never reaches execa's argument array, a file name or the helper.

/** A framework's name: also a file-name part and a CLI argument, so lower-case letters, digits, '.', '_', '-'. */
export const frameworkName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'must be 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (no spaces, "/", ";" or "$")',
  )
  .refine((s) => !s.includes('..'), 'must not contain ".."');

/** `name`, `@scope/name`, optionally `@version` (an exact version or a dist-tag: no ranges with spaces). */
export const npmSpec = z
  .string()
  .regex(
    /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*(@[A-Za-z0-9][A-Za-z0-9.+_-]*)?$/,
    'must be an npm package name, optionally @scope/ and @version (e.g. @anthropic-ai/claude-code@1.0.0)',
  )
  .max(214);

/** `name` or `name==version` (PEP 508 name; a pinned version, no ranges or URLs). */
export const pipxSpec = z
  .string()
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(==[A-Za-z0-9][A-Za-z0-9.+!_-]*)?$/,
    'must be a PyPI package name, optionally ==version (e.g. aider-chat==0.86.0)',
  )
  .max(214);

/** Debian policy 5.6.1: lower-case letters, digits, '+', '-', '.', at least two characters, starting alphanumeric. */
export const debianPackage = z
  .string()
  .regex(/^[a-z0-9][a-z0-9+.-]+$/, 'must be a Debian package name (lower-case letters, digits, + - .)')
  .max(128);

/** `publisher.extension`, as `code --install-extension` takes it. */
export const vscodeExtensionId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9-]*\.[A-Za-z0-9][A-Za-z0-9-]*$/,
    'must be a VS Code extension id: publisher.name (e.g. continue.continue)',
  )
  .max(128);

/** The command the framework puts on PATH: a file name, never a path. */
export const binaryName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/, 'must be a command name (no "/", spaces or shell characters)');

/** Where a .deb is downloaded from: https, or http to this machine only (a local mirror, the tests' server). */
export const debUrl = z
  .string()
  .max(2048)
  .refine((s) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return false;
    }
    if (u.username || u.password) return false;
    return (
      u.protocol === 'https:' ||
      (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))
    );
  }, 'must be an https:// URL (http:// only to 127.0.0.1 or localhost), without a user or password');

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
