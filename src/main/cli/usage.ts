import type { CliDomain } from './domain-command';
import { CLI_DOMAINS } from './domains';

// The text `kintsugi --help` prints; also appended to INVALID_ARGUMENT errors so a typo shows the right usage.
// The domains that bring their own commands (domains/index.ts) describe themselves; the rest is written here.

const CORE_COMMANDS = `Usage: kintsugi <command> [options]

Commands:
  drives [--include-loop]                       list drives and whether each may be flashed
  image verify IMAGE [--sha256 F] [--minisig F --pubkey KEY] [--full] [--force-raw]
                    [--allow-unsigned]
                                                check an image's checksum / signature (--full: decompress it all)
  flash IMAGE DEVICE [--yes] [--include-loop] [--sha256 F] [--minisig F --pubkey KEY] [--no-verify]
          [--no-bmap] [--force-raw] [--allow-unsigned]
                                                check the image, then write it to the whole DEVICE and read it back
  verify IMAGE DEVICE [--include-loop] [--no-bmap]
                                                read DEVICE back and compare it with IMAGE
  backup SOURCE DEST_DIR [--include-loop] [--full-verify]
                                                back up a directory, or the persistence store of a drive / image
                                                (incremental against the newest verified backup in DEST_DIR;
                                                --full-verify reads every file again)
  backup DEST_DIR [--full-verify]               back up the data root (--data-root, default /data)
  restore BACKUP_DIR TARGET [--yes] [--include-loop]
                                                restore a backup into a directory, drive or image
  reflash --image IMAGE --drive DEVICE --backup-to DIR [--sha256 F] [--minisig F --pubkey KEY]
          [--yes] [--include-loop] [--skip-backup] [--no-bmap] [--force-raw] [--allow-unsigned]
                                                back up, flash, verify and restore in one go; a rerun after a
                                                crash or a failure resumes where it stopped
  jobs [list] | jobs show ID | jobs log ID      the jobs run so far (with the ones a crash interrupted), one
                                                job's record, its log
`;

const COLUMN = 48;

/** One block per domain: its summary, then each subcommand's synopsis with its summary in the second column. */
export function domainUsage(domains: readonly CliDomain[]): string {
  return domains
    .map((d) => {
      const lines = d.subcommands.map((s) => {
        const left = `  ${d.name} ${s.synopsis}`;
        return left.length < COLUMN - 1
          ? `${left.padEnd(COLUMN)}${s.summary}`
          : `${left}\n${' '.repeat(COLUMN)}${s.summary}`;
      });
      return `\n${d.summary}:\n${lines.join('\n')}\n`;
    })
    .join('');
}

const OPTIONS_AND_NOTES = `
Options for every command:
  --json            print one JSON object on stdout ({"result": ...} or {"error": {...}})
  --progress        with --json: NDJSON job events on stdout before the result
  --data-root DIR   the data root (default /data)
  --state-dir DIR   where jobs and the reflash state are kept (default $XDG_STATE_HOME/kintsugi)
  --help, -h        this text
  --version, -V     the version

A .bmap beside the image (x.img.bmap for x.img.zst) is used as bmaptool uses it: only its mapped ranges are
written and compared, and each range's checksum is checked while writing. --no-bmap ignores it.
Flash, reflash and restore into a device ask you to type the device name; --yes skips that. Without a terminal
and without --yes they refuse (CONFIRMATION_REQUIRED). A file that does not look like a disk image (no partition
table, ISO or filesystem at its start) is refused (IMAGE_NOT_A_DISK_IMAGE); --force-raw writes it anyway.
With --pubkey (or a key in the settings) a signature is required: --minisig F, or IMAGE.minisig beside the image;
without one the image is refused (IMAGE_SIGNATURE_MISSING) unless --allow-unsigned. Drive commands need root: run them with sudo.
Exit status: 0 ok, 1 failed, 2 bad arguments, 130 interrupted (Ctrl-C cancels the running job cleanly).
`;

export const USAGE = CORE_COMMANDS + domainUsage(CLI_DOMAINS) + OPTIONS_AND_NOTES;
