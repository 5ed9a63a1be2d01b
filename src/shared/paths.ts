import { z } from 'zod';

// The one rule for a path crossing a boundary (IPC payload, helper request, saved state): absolute, bounded, no
// NUL byte. Whether it names a directory, a file or a device is for the receiver to check on the real filesystem.

export const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0'), 'must be an absolute path');

/** A device node path. Callers canonicalise first (a link elsewhere resolves to /dev/<name>); the receiver still
 * checks on the real filesystem that it is a whole-disk block device. */
export const devicePath = absolutePath.refine((p) => p.startsWith('/dev/'), 'must be a device under /dev');

/** A local absolute path or an http(s) URL (image sources and their companion files). */
export const pathOrUrl = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    (s) => (s.startsWith('/') && !s.includes('\0')) || /^https?:\/\//.test(s),
    'must be an absolute path or an http(s) URL',
  );

export const jobId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
