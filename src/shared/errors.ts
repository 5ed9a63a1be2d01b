// The error catalogue. Every failure that crosses a process boundary (helper -> main -> renderer, core -> CLI)
// travels as an ErrorPayload; the UI and the CLI turn its code into words and a next step.

// Grouped by domain so each domain's codes sit together; ERROR_CATALOGUE is their union (codes are unique).

const GENERAL = {
  INVALID_ARGUMENT: {
    message: 'A request had a bad or missing value.',
    hint: 'Check the value named in the detail.',
  },
  CONFIRMATION_REQUIRED: {
    message: 'This action destroys data and needs confirmation.',
    hint: 'Type the device name when asked, or pass --yes.',
  },
  CANCELLED: {
    message: 'Cancelled.',
    hint: 'Start it again when ready; nothing was left half-done without a note.',
  },
  TOOL_MISSING: {
    message: 'A required system tool is not installed.',
    hint: 'Install the tool named in the detail.',
  },
  IPC_SENDER_REJECTED: {
    message: 'A request came from a page that is not Kintsugi Updater.',
    hint: 'Only the app window may call the app; restart it if this repeats.',
  },
  INTERNAL: {
    message: 'Something went wrong inside Kintsugi Updater.',
    hint: 'Try again; if it repeats, report it with the detail.',
  },

  JOB_NOT_FOUND: {
    message: 'That job is not known.',
    hint: 'Open the jobs list: finished jobs are kept with their logs.',
  },
  FLOW_GATE: {
    message: 'That step is not allowed yet.',
    hint: 'Finish the step named in the detail first.',
  },
} as const;

const IMAGE = {
  IMAGE_NOT_FOUND: { message: 'The image file was not found.', hint: 'Pick the .img.zst file again.' },
  IMAGE_DOWNLOAD_FAILED: {
    message: 'The image could not be downloaded.',
    hint: 'Check the URL and the network, then retry: the download resumes.',
  },
  IMAGE_CHECKSUM_MISSING: {
    message: 'The checksum file has no entry for this image.',
    hint: 'Use the .sha256 file published with this image.',
  },
  IMAGE_CHECKSUM_MISMATCH: {
    message: 'The image does not match its checksum.',
    hint: 'The file is damaged or not the published one: download it again.',
  },
  IMAGE_SIGNATURE_INVALID: {
    message: 'The image signature is not valid for this public key.',
    hint: 'Do not flash it. Check the public key, or download the image and its .minisig again.',
  },
  IMAGE_ARCHIVE_UNSUPPORTED: {
    message: 'This file is an archive, not a disk image.',
    hint: 'Extract the disk image from it (or pick the .img.zst itself) and choose that file.',
  },
  IMAGE_SIGNATURE_MISSING: {
    message: 'This image has no signature, and a signing key is set.',
    hint: 'Pick the .minisig published with it. To write it unsigned on purpose, type UNSIGNED when asked (CLI: --allow-unsigned).',
  },
  IMAGE_CORRUPT: {
    message: 'The compressed image is truncated or corrupt.',
    hint: 'Download the image again.',
  },
  IMAGE_TOO_LARGE: { message: 'The image is larger than the drive.', hint: 'Choose a larger drive.' },
  IMAGE_BMAP_UNREADABLE: {
    message: 'The .bmap file cannot be read.',
    hint: 'Check the file named in the detail exists and is readable, or flash without it (--no-bmap).',
  },
  IMAGE_BMAP_INVALID: {
    message: 'The .bmap file is damaged or not a bmap file.',
    hint: 'Download the .bmap again with the image, or flash without it (--no-bmap).',
  },
  IMAGE_BMAP_MISMATCH: {
    message: 'The image does not match its .bmap checksums.',
    hint: "The image or its .bmap is damaged, or they come from different releases: download both again. The drive's first MiB was not written.",
  },
  IMAGE_NOT_A_DISK_IMAGE: {
    message: 'This file is not a disk image.',
    hint: 'Pick the .img.zst (or .img, .iso) itself, not its .sha256 or .minisig or a saved web page.',
  },
} as const;

const DRIVES = {
  DRIVE_NOT_FOUND: { message: 'The drive was not found.', hint: 'Plug it in again and refresh the list.' },
  DRIVE_NOT_WHOLE_DISK: {
    message: 'That path is not a whole disk.',
    hint: 'Choose the disk itself (e.g. /dev/sdb), not a partition or a file.',
  },
  DRIVE_IS_SYSTEM: { message: 'That is a system drive.', hint: 'Choose the removable Kintsugi drive.' },
  DRIVE_IS_BOOT: {
    message: 'The running system booted from that drive.',
    hint: 'Boot from another system to reflash this drive.',
  },
  DRIVE_TOO_SMALL: { message: 'The drive is smaller than the image.', hint: 'Choose a larger drive.' },
  DRIVE_READ_ONLY: {
    message: 'The drive is read-only.',
    hint: 'Check the write-protect switch, then try again.',
  },
  DRIVE_HOLDS_IMAGE: {
    message: 'The drive holds the image being flashed.',
    hint: 'Copy the image to another disk first.',
  },
  DRIVE_LOOP_NOT_ALLOWED: {
    message: 'Loop devices are hidden by default.',
    hint: 'Enable "Show loop devices" in Settings, or pass --include-loop.',
  },
  DRIVE_UNMOUNT_FAILED: {
    message: 'A partition of the drive could not be unmounted.',
    hint: 'Close programs using the drive (file managers, terminals), then retry.',
  },
  DRIVE_GONE: {
    message: 'The drive disappeared while it was being written.',
    hint: 'Reconnect it and flash again.',
  },
  FLASH_WRITE_FAILED: { message: 'Writing to the drive failed.', hint: 'Try another port or drive.' },
  FLASH_VERIFY_MISMATCH: {
    message: 'The drive does not read back what was written.',
    hint: 'The drive may be failing or counterfeit: flash again or use another drive.',
  },
} as const;

const PERSISTENCE = {
  PERSISTENCE_NOT_FOUND: {
    message: 'No persistence store was found.',
    hint: 'Expected a partition labelled persistence, casper-rw or writable, or a persistence*.dat file.',
  },
  MOUNT_FAILED: {
    message: 'A filesystem could not be mounted.',
    hint: 'Run a filesystem check on it, then retry.',
  },
} as const;

const BACKUP = {
  BACKUP_NO_SPACE: {
    message: 'The backup destination does not have enough free space.',
    hint: 'Free space or choose another destination.',
  },
  BACKUP_FAILED: {
    message: 'The backup failed.',
    hint: 'Flashing stays locked until a backup is verified. Check the detail and retry.',
  },
  BACKUP_VERIFY_FAILED: {
    message: 'The backup does not match its source.',
    hint: 'Run the backup again before flashing.',
  },
  BACKUP_NOT_FOUND: {
    message: 'That backup was not found or has no manifest.',
    hint: 'Choose a folder made by Kintsugi backup.',
  },
  RESTORE_FAILED: {
    message: 'Restoring the backup failed.',
    hint: 'Your backup is untouched; retry the restore.',
  },
} as const;

const HELPER = {
  HELPER_AUTH_DISMISSED: {
    message: 'The password prompt was dismissed.',
    hint: 'Start again and enter your password.',
  },
  HELPER_NOT_AUTHORIZED: {
    message: 'You are not allowed to run the privileged helper.',
    hint: 'Ask an administrator, or check the polkit policy is installed.',
  },
  HELPER_FAILED: {
    message: 'The privileged helper stopped unexpectedly.',
    hint: 'Try again; the detail says what it printed.',
  },
  NEEDS_ROOT: {
    message: 'This command reads or writes drives and needs root.',
    hint: 'Run it again with sudo (the CLI runs core in its own process, it does not prompt).',
  },
} as const;

const FRAMEWORKS = {
  FRAMEWORK_NOT_FOUND: {
    message: 'No framework of that name is in the catalog.',
    hint: 'Run `kintsugi frameworks list` for the names, or add it to <data>/frameworks/user/frameworks.yaml.',
  },
  FRAMEWORK_INSTALL_FAILED: {
    message: 'Installing the framework failed.',
    hint: "The detail names the step that failed and the job log has the tool's own output; nothing was left half-installed.",
  },
  FRAMEWORK_UNINSTALL_FAILED: {
    message: 'Uninstalling the framework failed.',
    hint: "The detail names the step that failed; the job log has the tool's own output.",
  },
  FRAMEWORK_DEB_MISMATCH: {
    message: 'The downloaded .deb is not the one the manifest names.',
    hint: 'It was not installed. The manifest or the download is wrong: pull the toolkit again, or report it.',
  },
} as const;

const REPO = {
  REPO_NOT_CLONED: {
    message: 'The toolkit clone (docs & scripts) is missing.',
    hint: 'Clone it first: `kintsugi repo clone` (or the Clone button), then retry.',
  },
  REPO_EXISTS: {
    message: 'Something is already where the toolkit clone goes.',
    hint: 'Use the existing clone (`kintsugi repo status`), or move the folder named in the detail away first.',
  },
  REPO_REMOTE_UNREACHABLE: {
    message: 'The toolkit remote could not be reached.',
    hint: 'Check the network and the remote setting (repoRemote); status, link and verify still work offline.',
  },
  REPO_NO_UPSTREAM: {
    message: 'The current branch follows no remote branch.',
    hint: 'Switch to the branch that follows the remote (`git -C CLONE switch main`) or unpin (`kintsugi repo unpin`).',
  },
  REPO_DETACHED: {
    message: 'The clone is pinned to a release (detached HEAD), so there is no branch to pull.',
    hint: 'Unpin to go back to the branch and pull: `kintsugi repo unpin`.',
  },
  REPO_DIVERGED: {
    message: 'The clone has local commits that are not on the remote, so a fast-forward pull is impossible.',
    hint: 'Nothing moved. Keep them and stay where you are, or move them onto a branch and follow the remote (`kintsugi repo pull --move-local-to BRANCH`).',
  },
  REPO_DIRTY_IN_WAY: {
    message: 'Uncommitted changes are in the way of the pull.',
    hint: 'Nothing moved. Stash them and pull (`kintsugi repo pull --stash`; `git stash pop` brings them back), or commit them.',
  },
  REPO_DIRTY: {
    message: 'The clone has uncommitted changes that this would lose.',
    hint: 'Stash or commit them first, or type DISCARD when asked (CLI: --discard) to lose them on purpose.',
  },
  REPO_REF_NOT_FOUND: {
    message: 'That tag or commit is not known in the clone.',
    hint: 'Check the name (`kintsugi repo check` fetches the tags; `kintsugi repo rollback` lists earlier HEADs).',
  },
  REPO_NOT_OWNED: {
    message: 'The toolkit clone belongs to another user.',
    hint: 'Run kintsugi as the clone’s owner (e.g. `sudo -u OWNER kintsugi repo ...`): as root, git would run that user’s hooks and settings with root’s rights.',
  },
  REPO_GIT_FAILED: {
    message: 'A git command failed.',
    hint: 'The detail has git’s own message; fix what it names, then retry.',
  },
} as const;

const LINK = {
  LINK_BIN_DIR_NOT_WRITABLE: {
    message: 'The bin folder does not exist or cannot be written.',
    hint: 'Link as root (the app asks for your password; CLI: sudo), or choose a bin folder of your own (--bin-dir ~/.local/bin).',
  },
  LINK_TARGET_REFUSED: {
    message: 'A script in the clone is not safe to link.',
    hint: 'Each script must be an executable regular file inside scripts/usb-toolkit, writable by its owner only.',
  },
  LINK_NAME_TAKEN: {
    message: 'Another file of the same name is already in the bin folder.',
    hint: 'Remove or rename the file named in the detail (it is not one Kintsugi put there), then link again.',
  },
} as const;

const NETWORK = {
  NETWORK_METERED: {
    message: 'The network is metered: downloads ask first.',
    hint: 'Confirm the download (CLI: --allow-metered), or wait for an unmetered network.',
  },
} as const;

const SCHEDULE = {
  SCHEDULE_NO_SCHEDULER: {
    message: 'Neither systemd nor cron is available to run the schedule.',
    hint: 'Install cron (Debian: apt install cron), or run `kintsugi repo pull` yourself.',
  },
  SCHEDULE_UNIT_INVALID: {
    message: 'The schedule files did not pass their check.',
    hint: 'Nothing was installed; report the detail.',
  },
} as const;

// The Ollama server side of the models layer (core/models/ollama). Kept apart from the layer's own MODELS group.
const MODELS_OLLAMA = {
  MODELS_OLLAMA_UNREACHABLE: {
    message: 'The Ollama server is not answering.',
    hint: 'Start Ollama (`ollama serve`, or `systemctl start ollama`), or set OLLAMA_HOST to the address it listens on.',
  },
  MODELS_OLLAMA_TOO_OLD: {
    message: 'The Ollama server is too old for Kintsugi Updater.',
    hint: 'Update Ollama (the detail names the version found and the one needed), then retry.',
  },
  MODELS_OLLAMA_SLUG_INVALID: {
    message: 'That is not an Ollama model name.',
    hint: 'Use name:tag (e.g. qwen3:4b) or name:tag@sha256:<64 hex>; letters, digits, . _ - only.',
  },
  MODELS_OLLAMA_PULL_FAILED: {
    message: 'Ollama could not pull the model.',
    hint: 'The detail has Ollama’s own message; fix what it names (name, network, disk space), then pull again: it resumes.',
  },
  MODELS_OLLAMA_STALLED: {
    message: 'The model download stopped moving and did not recover.',
    hint: 'Check the network of the machine running Ollama, then pull again: the bytes already fetched are kept.',
  },
  MODELS_OLLAMA_NOT_FOUND: {
    message: 'Ollama does not have that model.',
    hint: 'Check the name against the models list (`ollama list`), or pull it first.',
  },
  MODELS_OLLAMA_REQUEST_FAILED: {
    message: 'The Ollama server refused a request.',
    hint: 'The detail has Ollama’s own message; check the server log (`journalctl -u ollama`) if it is not clear.',
  },
} as const;

const MODELS = {
  MODEL_NOT_FOUND: {
    message: 'No model of that slug is in the manifests.',
    hint: 'Run `kintsugi models list` for the slugs, or add it to <data>/models/user/models.yaml.',
  },
  MODELS_OLLAMA_UNREACHABLE: {
    message: 'The Ollama server could not be reached.',
    hint: 'Start it (`systemctl start ollama` or `ollama serve`) or set OLLAMA_HOST, then retry; GGUF files still work.',
  },
  MODEL_DOWNLOAD_FAILED: {
    message: 'Downloading the model failed.',
    hint: 'The partial file was kept: run the same pull again to continue where it stopped.',
  },
  MODEL_REVISION_NOT_FOUND: {
    message: 'The model file was not found at that repo and revision (404).',
    hint: 'Check repo, revision and file in the manifest entry named in the detail (a private repo needs HF_TOKEN).',
  },
  MODEL_NOT_GGUF: {
    message: 'The download is not a GGUF file.',
    hint: 'The server sent something else (an HTML page, a JSON error, a Git LFS pointer); nothing was put in place. Check the URL in the detail.',
  },
  MODEL_CHECKSUM_MISMATCH: {
    message: 'The model file does not match its sha256.',
    hint: 'It was not put in place (left as .incomplete). Pull again; if it repeats, the manifest or the server is wrong.',
  },
  MODEL_STORAGE_REFUSED: {
    message: 'Not enough room for this model.',
    hint: 'Free space on the filesystem named in the detail (remove a model: `kintsugi models remove SLUG --delete-weights`), then pull again; a partial file is kept.',
  },
  MODEL_TOO_LARGE_FOR_FS: {
    message: 'The model is larger than 4 GiB and the target is FAT32.',
    hint: 'Keep models on the ext4 data partition (the default /data), or reformat the target as exFAT or ext4.',
  },
  MODEL_BUSY: {
    message: 'Another pull of this model is running.',
    hint: 'Wait for it to finish (or cancel it); two writers on one file are never allowed.',
  },
  MODEL_UNVERIFIABLE: {
    message: 'The model has no sha256 to check against.',
    hint: 'Add its sha256 to the manifest entry to make it verifiable.',
  },
} as const;

// Issue 9, OS updates. The apt backend's codes sit in this one block; the plumbing (contract, CLI) adds its own after it.
const OS = {
  OS_ROOT_NOT_FOUND: {
    message: 'The system root to update does not exist or is not a Debian-style system.',
    hint: 'Check the --root path named in the detail: it must be a folder holding var/lib/dpkg/status.',
  },
  OS_ROOT_NOT_ISOLATED: {
    message: 'apt would not be confined to the chosen root, so nothing was run.',
    hint: 'The detail says where apt pointed instead; check the root path and its etc/apt files, then retry.',
  },
  OS_NOT_SUPPORTED: {
    message: 'This OS backend cannot do that.',
    hint: 'The detail says why; apt has no deployments to pin (ostree and rpm-ostree do).',
  },
  OS_LOCK_HELD: {
    message: 'Another program holds the package manager lock.',
    hint: 'Wait for the program named in the detail (an update, Software Center, unattended-upgrades) to finish, then retry.',
  },
  OS_SOURCES_BROKEN: {
    message: 'apt rejected a line of its sources list.',
    hint: 'Fix or comment out the line named in the detail (file and entry number), then check again.',
  },
  OS_SOURCES_UNREACHABLE: {
    message: 'A package source could not be reached.',
    hint: 'Check the network and the source named in the detail; the last check stays shown until a check succeeds.',
  },
  OS_INTERRUPTED: {
    message: 'An earlier update was interrupted and left packages half-installed.',
    hint: 'Finish it first: run the offered fix (dpkg --configure -a), then check again.',
  },
  OS_MANIFEST_INVALID: {
    message: 'The list of OS-relevant packages could not be read.',
    hint: 'Fix the file at the line and column named in the detail, or reinstall the app to restore it.',
  },
  OS_APT_FAILED: {
    message: 'apt or dpkg failed.',
    hint: "The detail has the tool's last lines and the job log its whole output; fix what it names, then retry.",
  },
  OS_NO_ROLLBACK_RECORD: {
    message: 'There is no recorded apply to roll back.',
    hint: 'Rollback restores the versions an apply by this app replaced; none was recorded for this root.',
  },
} as const;

// OS updates, the plumbing's own codes (core/os: detect, jobs, the helper's target rule). The backends' codes are
// the groups OS (apt) and OS_IMAGE (ostree, rpm-ostree).
const OS_PLUMBING = {
  OS_UNKNOWN_BACKEND: {
    message: 'That is not an OS update backend Kintsugi knows.',
    hint: 'Use one of apt, ostree, rpm-ostree (CLI: --backend), or leave it out to detect the system’s own.',
  },
  OS_BACKEND_NOT_DETECTED: {
    message: 'No OS update system was found at that root.',
    hint: 'Expected an ostree-booted system (run/ostree-booted) or a dpkg database (var/lib/dpkg/status). Check --root, or name the backend with --backend.',
  },
  OS_REPAIR_NOT_SUPPORTED: {
    message: 'This OS update backend has nothing to repair.',
    hint: 'Repair finishes an interrupted apt/dpkg run; ostree and rpm-ostree deployments are atomic: roll back instead.',
  },
  OS_TARGET_NOT_ALLOWED: {
    message: 'The privileged helper updates this machine’s own system only.',
    hint: 'To update another root (a chroot, a mounted image) run the command line as root: `sudo kintsugi os ... --root DIR`.',
  },
} as const;

// Issue 9, the image-based OS backends (core/os/ostree, core/os/rpm-ostree). Kept in one block apart from the apt
// backend's `os` group so the two merge as a union.
const OS_IMAGE = {
  OS_NOT_OSTREE_SYSROOT: {
    message: 'That folder is not an ostree system root.',
    hint: 'Point --sysroot at the root of an ostree system (it has ostree/repo and ostree/deploy), or use the apt backend.',
  },
  OS_UNKNOWN_STATEROOT: {
    message: 'That operating system (stateroot) is not in the ostree system root.',
    hint: 'Use one of the names in the detail (--os NAME), or leave it out when there is only one.',
  },
  OS_STATEROOT_AMBIGUOUS: {
    message: 'The ostree system root holds several operating systems and none is booted.',
    hint: 'Say which one with --os NAME (the detail lists them).',
  },
  OS_NO_DEPLOYMENT: {
    message: 'The operating system has no deployment yet.',
    hint: 'Deploy it once with `ostree admin deploy` (or install it), then retry.',
  },
  OS_DEPLOYMENT_NOT_FOUND: {
    message: 'There is no deployment with that number.',
    hint: 'Run the status command: deployments are numbered from 0 in boot order.',
  },
  OS_NO_ROLLBACK_TARGET: {
    message: 'There is no earlier deployment to roll back to.',
    hint: 'A rollback needs a second deployment of the same system; nothing was changed.',
  },
  OS_BOOT_FULL: {
    message: 'The boot partition does not have room for the new kernel and initramfs.',
    hint: 'Nothing was deployed. Free space in /boot (remove an old deployment: unpin it, then run the cleanup), then retry.',
  },
  OS_IMAGE_REMOTE_UNREACHABLE: {
    message: 'The update server of the operating system could not be reached.',
    hint: 'Check the network and the remote named in the detail (`ostree remote show-url NAME`), then retry; status still works offline.',
  },
  OS_OSTREE_FAILED: {
    message: 'An ostree command failed.',
    hint: 'The detail has ostree’s own message; fix what it names, then retry.',
  },
  OS_RPM_OSTREE_FAILED: {
    message: 'An rpm-ostree command failed.',
    hint: 'The detail has rpm-ostree’s own message; `journalctl -u rpm-ostreed` has the daemon’s side.',
  },
  OS_RPM_OSTREE_OUTPUT_INVALID: {
    message: 'rpm-ostree answered in a form Kintsugi Updater does not understand.',
    hint: 'Report the detail with `rpm-ostree --version`; `rpm-ostree status` still works by hand.',
  },
  OS_STAGED_BLOCKS_ROLLBACK: {
    message: 'An update is staged for the next boot, so there is nothing to roll back to yet.',
    hint: 'To drop the staged update instead, run `rpm-ostree cleanup -p`; to keep it, reboot into it first and roll back afterwards if needed.',
  },
  OS_TRANSACTION_ACTIVE: {
    message: 'Another rpm-ostree operation is still running.',
    hint: 'Wait for it to finish (the detail names it and who started it), or cancel it with `rpm-ostree cancel`, then retry.',
  },
} as const;

export const ERROR_GROUPS = {
  general: GENERAL,
  image: IMAGE,
  drives: DRIVES,
  persistence: PERSISTENCE,
  backup: BACKUP,
  helper: HELPER,
  frameworks: FRAMEWORKS,
  repo: REPO,
  link: LINK,
  network: NETWORK,
  schedule: SCHEDULE,
  modelsOllama: MODELS_OLLAMA,
  models: MODELS,
  os: OS,
  osPlumbing: OS_PLUMBING,
  osImage: OS_IMAGE,
} as const satisfies Record<string, Record<string, { message: string; hint: string }>>;

export const ERROR_CATALOGUE = {
  ...GENERAL,
  ...IMAGE,
  ...DRIVES,
  ...PERSISTENCE,
  ...BACKUP,
  ...HELPER,
  ...FRAMEWORKS,
  ...REPO,
  ...LINK,
  ...NETWORK,
  ...SCHEDULE,
  ...MODELS_OLLAMA,
  ...MODELS,
  ...OS,
  ...OS_PLUMBING,
  ...OS_IMAGE,
} as const satisfies Record<string, { message: string; hint: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  detail?: string;
  hint?: string;
  /** The messages of the errors that led to this one, outermost first: for the job log, never shown raw. */
  causes?: string[];
}

export class KintsugiError extends Error {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly hint: string;

  constructor(
    code: ErrorCode,
    detail?: string,
    options?: { message?: string; hint?: string; cause?: unknown },
  ) {
    super(options?.message ?? ERROR_CATALOGUE[code].message, { cause: options?.cause });
    this.name = 'KintsugiError';
    this.code = code;
    this.detail = detail;
    this.hint = options?.hint ?? ERROR_CATALOGUE[code].hint;
  }

  toPayload(): ErrorPayload {
    const causes = causeChain(this.cause);
    return {
      code: this.code,
      message: this.message,
      detail: this.detail,
      hint: this.hint,
      ...(causes.length ? { causes } : {}),
    };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, value);
}

/** Turns anything thrown into a payload fit to cross a process boundary (no stack traces). */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof KintsugiError) return err.toPayload();
  if (isErrorPayload(err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  const causes = err instanceof Error ? causeChain(err.cause) : [];
  return {
    code: 'INTERNAL',
    message: ERROR_CATALOGUE.INTERNAL.message,
    detail,
    hint: ERROR_CATALOGUE.INTERNAL.hint,
    ...(causes.length ? { causes } : {}),
  };
}

/** "code: message (detail)" of each cause, outermost first, at most 8 deep (a cycle cannot loop forever). */
export function causeChain(cause: unknown): string[] {
  const out: string[] = [];
  for (let c = cause, depth = 0; c !== undefined && c !== null && depth < 8; depth++) {
    if (c instanceof KintsugiError) out.push(`${c.code}: ${c.detail ?? c.message}`);
    else if (c instanceof Error)
      out.push(`${String((c as { code?: unknown }).code ?? c.name)}: ${c.message}`);
    else if (isErrorPayload(c)) out.push(`${c.code}: ${c.detail ?? c.message}`);
    else out.push(String(c));
    c = c instanceof Error ? c.cause : undefined;
  }
  return out;
}

export function isErrorPayload(value: unknown): value is ErrorPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    isErrorCode((value as { code?: unknown }).code) &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

export function fromErrorPayload(payload: ErrorPayload): KintsugiError {
  const err = new KintsugiError(payload.code, payload.detail, {
    message: payload.message,
    hint: payload.hint,
  });
  if (payload.causes?.length) (err as { cause?: unknown }).cause = payload.causes.join(' <- ');
  return err;
}

/** Codes whose detail is written for the person, naming what to change: it is the headline they see. */
const DETAIL_IS_THE_HEADLINE: ReadonlySet<ErrorCode> = new Set([
  'INVALID_ARGUMENT',
  'FLOW_GATE',
  'CONFIRMATION_REQUIRED',
]);

/** The one line an error box leads with: for a bad value or a step not allowed yet, what exactly and what to do
 * (the detail); otherwise the catalogue's message, the detail folded below it. */
export function headlineOf(e: Pick<ErrorPayload, 'code' | 'message' | 'detail'>): string {
  return e.detail && DETAIL_IS_THE_HEADLINE.has(e.code) ? e.detail : e.message;
}
