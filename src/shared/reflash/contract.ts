import type { LastWrittenImage } from './last-written';
import { z } from 'zod';
import { domain, method, produced } from '../ipc/define';
import { absolutePath, pathOrUrl } from '../paths';
import { REFLASH_STEPS } from '../progress';
import type { Compression } from '../model';
import type { ReflashState } from './state';

// The reflash page sends intents; main checks them against its own saved state (shared/reflash/gates.ts) and builds
// every privileged request itself, so the flash and restore targets are always the confirmed device.

const state = produced<ReflashState>();
const started = produced<{ jobId: string; state: ReflashState }>();
/** What the user typed to confirm a destructive step (the device name, e.g. "sdb" or "/dev/sdb"). */
const typed = z.string().max(4096);

/** What choosing an image sends: the page's intent, checked by main (forceRaw / allowUnsigned only with the word
 * typed). */
const chooseImageArgs = z.strictObject({
  source: pathOrUrl,
  sha256File: pathOrUrl.optional(),
  minisigFile: pathOrUrl.optional(),
  /** Ignore a .bmap beside the image (the image check, hence the flash, goes without it). */
  noBmap: z.boolean().optional(),
  /** Check it as a raw image even if it does not look like one: only with RAW or its name typed. */
  forceRaw: z.strictObject({ typed }).optional(),
  /** Go on without a .minisig although a public key is set: only with UNSIGNED typed. */
  allowUnsigned: z.strictObject({ typed }).optional(),
});
export type ChooseImageIntent = z.input<typeof chooseImageArgs>;

/**
 * What the image step can say before the check ran: the file's size and, when the container records it (zstd's
 * frame header, xz's index), the image's. Not a check: nothing here is trusted for safety.
 */
export type ImagePreview =
  | {
      found: true;
      fileSize: number;
      compression: Compression;
      /** The decompressed size the file's header states; undefined when it states none (known after the check). */
      imageSize?: number;
    }
  | { found: false; reason: string };

export const reflashContract = domain({
  methods: {
    getState: method(z.tuple([]), state),
    /** What this app last wrote to a drive (the home page's "on the drive"); null before the first flash. */
    lastWritten: method(z.tuple([]), produced<LastWrittenImage | null>()),
    /** Only reads the chosen file's size and header; URLs are not fetched for it. */
    previewImage: method(z.tuple([z.strictObject({ source: absolutePath })]), produced<ImagePreview>()),
    chooseImage: method(z.tuple([chooseImageArgs]), started),
    chooseDrive: method(z.tuple([z.strictObject({ device: absolutePath })]), state),
    startBackup: method(z.tuple([z.strictObject({ backupDir: absolutePath })]), started),
    skipBackup: method(z.tuple([z.strictObject({ typed })]), state),
    startFlash: method(z.tuple([z.strictObject({ typed })]), started),
    /** typed: needed only when restoring an existing backup onto a drive this flow did not just flash. */
    startRestore: method(z.tuple([z.strictObject({ typed: typed.optional() }).optional()]), started),
    /** "Restore an existing backup" as its own flow: pick a verified backup, then a drive to restore it into. */
    useExistingBackup: method(z.tuple([z.strictObject({ path: absolutePath })]), state),
    goTo: method(z.tuple([z.strictObject({ step: z.enum(REFLASH_STEPS) })]), state),
    /** Typed confirmation required while a verified backup is not yet restored (see gates.resetNeedsConfirm). */
    startOver: method(z.tuple([z.strictObject({ typed: typed.optional() })]), state),
  },
});
