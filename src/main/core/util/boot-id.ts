import { readFile } from 'node:fs/promises';

// The kernel's id of the running boot (Linux: a new random UUID at every boot). Bytes a killed process wrote
// are still in the page cache while it is the same; after a reboot only what was fsynced can be trusted.

/** This boot's id, or undefined where the kernel does not say (then nothing unsynced is ever trusted). */
export async function bootId(): Promise<string | undefined> {
  try {
    const id = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    return /^[0-9a-f-]{36}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
