import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KintsugiError } from '../../shared/errors';
import type { CliDomain, CliSubcommand } from './domain-command';
import { CLI_DOMAINS, domainOptions } from './domains';

// argv -> one typed command. node:util parseArgs does the tokenising (no dependency); this file owns the
// command grammar: which positionals and options each command takes. Relative paths are made absolute here,
// because the job schemas accept absolute paths only.

export interface GlobalOptions {
  json: boolean;
  progress: boolean;
  dataRoot: string;
  /** Where the job journal and the reflash flow's state live (--state-dir, $XDG_STATE_HOME/kintsugi). */
  stateDir: string;
}

export type Command =
  | { cmd: 'help' }
  | { cmd: 'version' }
  | { cmd: 'drives'; includeLoop: boolean }
  | {
      cmd: 'image-verify';
      image: string;
      sha256?: string;
      minisig?: string;
      pubkey?: string;
      full: boolean;
      forceRaw: boolean;
      allowUnsigned: boolean;
    }
  | {
      cmd: 'flash';
      image: string;
      device: string;
      yes: boolean;
      includeLoop: boolean;
      sha256?: string;
      minisig?: string;
      pubkey?: string;
      verify: boolean;
      /** Ignore a .bmap beside the image: write (or compare) the whole image. */
      noBmap: boolean;
      forceRaw: boolean;
      allowUnsigned: boolean;
    }
  | { cmd: 'verify'; image: string; device: string; includeLoop: boolean; noBmap: boolean }
  /** `kintsugi <domain> <subcommand> ...` of a domain that brings its own commands (domains/index.ts). */
  | { cmd: 'domain'; domain: CliDomain; subcommand: CliSubcommand<never>; input: unknown }
  | { cmd: 'jobs-list' }
  | { cmd: 'jobs-show'; jobId: string }
  | { cmd: 'jobs-log'; jobId: string }
  | { cmd: 'backup'; source: string; dest: string; includeLoop: boolean; fullVerify: boolean }
  | { cmd: 'restore'; backupDir: string; target: string; yes: boolean; includeLoop: boolean }
  | {
      cmd: 'reflash';
      image: string;
      device: string;
      backupTo: string;
      sha256?: string;
      minisig?: string;
      pubkey?: string;
      yes: boolean;
      includeLoop: boolean;
      skipBackup: boolean;
      noBmap: boolean;
      forceRaw: boolean;
      allowUnsigned: boolean;
    };

export type ParsedCli = GlobalOptions & { command: Command };

const OPTIONS = {
  json: { type: 'boolean' },
  progress: { type: 'boolean' },
  'data-root': { type: 'string' },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  'include-loop': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  sha256: { type: 'string' },
  minisig: { type: 'string' },
  pubkey: { type: 'string' },
  full: { type: 'boolean' },
  'no-verify': { type: 'boolean' },
  image: { type: 'string' },
  drive: { type: 'string' },
  'backup-to': { type: 'string' },
  'skip-backup': { type: 'boolean' },
  'no-bmap': { type: 'boolean' },
  'force-raw': { type: 'boolean' },
  'allow-unsigned': { type: 'boolean' },
  'full-verify': { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** Which options each command accepts on top of the global ones. */
const ALLOWED: Record<Exclude<Command['cmd'], 'help' | 'version' | 'domain'>, OptionName[]> = {
  drives: ['include-loop'],
  'image-verify': ['sha256', 'minisig', 'pubkey', 'full', 'force-raw', 'allow-unsigned'],
  flash: [
    'yes',
    'include-loop',
    'sha256',
    'minisig',
    'pubkey',
    'no-verify',
    'no-bmap',
    'force-raw',
    'allow-unsigned',
  ],
  verify: ['include-loop', 'no-bmap'],
  'jobs-list': [],
  'jobs-show': [],
  'jobs-log': [],
  backup: ['include-loop', 'full-verify'],
  restore: ['yes', 'include-loop'],
  reflash: [
    'image',
    'drive',
    'backup-to',
    'sha256',
    'minisig',
    'pubkey',
    'yes',
    'include-loop',
    'skip-backup',
    'no-bmap',
    'force-raw',
    'allow-unsigned',
  ],
};
const GLOBAL: OptionName[] = ['json', 'progress', 'data-root', 'state-dir', 'help', 'version'];

const bad = (detail: string) => new KintsugiError('INVALID_ARGUMENT', detail);

/** A path argument made absolute; URLs (image sources) pass through unchanged. */
function pathArg(value: string, name: string, cwd: string, allowUrl = false): string {
  if (!value) throw bad(`${name} is empty`);
  if (value.includes('\0')) throw bad(`${name} contains a NUL byte`);
  if (allowUrl && /^https?:\/\//.test(value)) return value;
  return resolve(cwd, value);
}

/**
 * The public key may be the base64 key line itself, the whole .pub text (`--pubkey "$(cat k.pub)"`) or a path to
 * a .pub file; only paths are resolved.
 */
function pubkeyArg(value: string | undefined, cwd: string): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^RW[A-Za-z0-9+/=]{40,}$/.test(v) || /^untrusted comment:.*\n/.test(v)) return v;
  return pathArg(value, '--pubkey', cwd);
}

/** $XDG_STATE_HOME/kintsugi, else ~/.local/state/kintsugi (root's own under sudo: the CLI's jobs are root's). */
export function defaultStateDir(env: Record<string, string | undefined>): string {
  if (env['XDG_STATE_HOME']?.startsWith('/')) return resolve(env['XDG_STATE_HOME'], 'kintsugi');
  return resolve(env['HOME'] || '/root', '.local', 'state', 'kintsugi');
}

export function parseCli(
  argv: string[],
  cwd: string,
  env: Record<string, string | undefined> = process.env,
  domains: readonly CliDomain[] = CLI_DOMAINS,
): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: domainOptions(domains, OPTIONS),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // parseArgs' messages name the option ("Unknown option '--fals'"); keep them, drop its error code prefix.
    throw bad((err as Error).message.replace(/^.*?: /, ''));
  }
  const v = parsed.values as Partial<Record<OptionName, string | boolean>>;
  const pos = parsed.positionals;
  const globals: GlobalOptions = {
    json: Boolean(v.json),
    progress: Boolean(v.progress),
    dataRoot: typeof v['data-root'] === 'string' ? pathArg(v['data-root'], '--data-root', cwd) : '/data',
    stateDir:
      typeof v['state-dir'] === 'string' ? pathArg(v['state-dir'], '--state-dir', cwd) : defaultStateDir(env),
  };
  if (v.help || pos[0] === 'help') return { ...globals, command: { cmd: 'help' } };
  if (v.version || pos[0] === 'version') return { ...globals, command: { cmd: 'version' } };
  if (pos.length === 0) throw bad('no command given');

  let name = pos[0]!;
  let args = pos.slice(1);
  const domain = domains.find(
    (d) => d.name === name && (!d.onlySubcommands || d.subcommands.some((s) => s.name === args[0])),
  );
  if (domain) return { ...globals, command: domainCommand(domain, args, parsed.values, cwd, globals) };
  if (name === 'image') {
    if (args[0] !== 'verify')
      throw bad(`unknown image subcommand: ${args[0] ?? '(none)'} (expected: image verify IMAGE)`);
    name = 'image-verify';
    args = args.slice(1);
  } else if (name === 'jobs') {
    const sub = args[0] ?? 'list';
    if (!['list', 'show', 'log'].includes(sub))
      throw bad(`unknown jobs subcommand: ${sub} (expected: jobs list | jobs show ID | jobs log ID)`);
    name = `jobs-${sub}`;
    args = args.slice(1);
  }
  if (!Object.prototype.hasOwnProperty.call(ALLOWED, name)) throw bad(`unknown command: ${name}`);
  const cmdName = name as keyof typeof ALLOWED;
  for (const key of Object.keys(v) as OptionName[]) {
    if (!GLOBAL.includes(key) && !ALLOWED[cmdName].includes(key))
      throw bad(`--${key} does not apply to ${pos[0]}`);
  }
  const arity = (min: number, max: number, names: string) => {
    if (args.length < min || args.length > max) {
      throw bad(
        `${pos[0]} takes ${names}; got ${args.length ? args.map((a) => JSON.stringify(a)).join(' ') : 'nothing'}`,
      );
    }
  };
  const str = (k: OptionName) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const includeLoop = Boolean(v['include-loop']);
  const yes = Boolean(v.yes);
  const noBmap = Boolean(v['no-bmap']);
  const sig = () => {
    const minisig = str('minisig');
    const pubkey = str('pubkey');
    if (minisig && !pubkey) throw bad('--minisig needs --pubkey KEY (a minisign public key or a .pub file)');
    // A key alone requires a signature: the .minisig beside the image, else IMAGE_SIGNATURE_MISSING (unless
    // --allow-unsigned). It never checks nothing while the user believes the image signed.
    return {
      sha256: str('sha256') !== undefined ? pathArg(str('sha256')!, '--sha256', cwd, true) : undefined,
      minisig: minisig !== undefined ? pathArg(minisig, '--minisig', cwd, true) : undefined,
      pubkey: pubkeyArg(pubkey, cwd),
    };
  };

  let command: Command;
  switch (cmdName) {
    case 'jobs-list':
      arity(0, 0, 'no arguments');
      command = { cmd: 'jobs-list' };
      break;
    case 'jobs-show':
    case 'jobs-log':
      arity(1, 1, 'a job ID (see `kintsugi jobs list`)');
      command = { cmd: cmdName, jobId: args[0]! };
      break;
    case 'drives':
      arity(0, 0, 'no arguments');
      command = { cmd: 'drives', includeLoop };
      break;
    case 'image-verify':
      arity(1, 1, 'IMAGE');
      command = {
        cmd: 'image-verify',
        image: pathArg(args[0]!, 'IMAGE', cwd, true),
        ...sig(),
        full: Boolean(v.full),
        forceRaw: Boolean(v['force-raw']),
        allowUnsigned: Boolean(v['allow-unsigned']),
      };
      break;
    case 'flash':
      arity(2, 2, 'IMAGE DEVICE');
      command = {
        cmd: 'flash',
        image: pathArg(args[0]!, 'IMAGE', cwd, true),
        device: pathArg(args[1]!, 'DEVICE', cwd),
        yes,
        includeLoop,
        ...sig(),
        verify: !v['no-verify'],
        noBmap,
        forceRaw: Boolean(v['force-raw']),
        allowUnsigned: Boolean(v['allow-unsigned']),
      };
      break;
    case 'verify':
      arity(2, 2, 'IMAGE DEVICE');
      command = {
        cmd: 'verify',
        image: pathArg(args[0]!, 'IMAGE', cwd),
        device: pathArg(args[1]!, 'DEVICE', cwd),
        includeLoop,
        noBmap,
      };
      break;
    case 'backup':
      arity(1, 2, 'SOURCE DEST_DIR (or DEST_DIR alone to back up the data root)');
      command =
        args.length === 2
          ? {
              cmd: 'backup',
              source: pathArg(args[0]!, 'SOURCE', cwd),
              dest: pathArg(args[1]!, 'DEST_DIR', cwd),
              includeLoop,
              fullVerify: Boolean(v['full-verify']),
            }
          : {
              cmd: 'backup',
              source: globals.dataRoot,
              dest: pathArg(args[0]!, 'DEST_DIR', cwd),
              includeLoop,
              fullVerify: Boolean(v['full-verify']),
            };
      break;
    case 'restore':
      arity(2, 2, 'BACKUP_DIR TARGET');
      command = {
        cmd: 'restore',
        backupDir: pathArg(args[0]!, 'BACKUP_DIR', cwd),
        target: pathArg(args[1]!, 'TARGET', cwd),
        yes,
        includeLoop,
      };
      break;
    case 'reflash': {
      arity(0, 0, 'only options (--image, --drive, --backup-to)');
      const image = str('image');
      const drive = str('drive');
      const backupTo = str('backup-to');
      if (!image) throw bad('reflash needs --image IMAGE');
      if (!drive) throw bad('reflash needs --drive DEVICE');
      const skipBackup = Boolean(v['skip-backup']);
      if (!backupTo && !skipBackup)
        throw bad('reflash needs --backup-to DIR (or --skip-backup to lose the data)');
      command = {
        cmd: 'reflash',
        image: pathArg(image, '--image', cwd, true),
        device: pathArg(drive, '--drive', cwd),
        backupTo: backupTo ? pathArg(backupTo, '--backup-to', cwd) : '',
        ...sig(),
        yes,
        includeLoop,
        skipBackup,
        noBmap,
        forceRaw: Boolean(v['force-raw']),
        allowUnsigned: Boolean(v['allow-unsigned']),
      };
      break;
    }
  }
  return { ...globals, command };
}

/** Routes `kintsugi <domain> [subcommand] ...` to the domain's own grammar. */
function domainCommand(
  domain: CliDomain,
  pos: string[],
  values: Record<string, string | boolean | undefined>,
  cwd: string,
  globals: GlobalOptions,
): Command {
  const subName = pos[0] ?? domain.defaultSubcommand;
  const names = domain.subcommands.map((s) => s.name).join(' | ');
  if (subName === undefined) throw bad(`${domain.name} needs a subcommand: ${names}`);
  const sub = domain.subcommands.find((s) => s.name === subName);
  if (!sub) throw bad(`unknown ${domain.name} subcommand: ${subName} (expected: ${names})`);
  const args = pos.slice(1);
  const own = Object.keys(sub.options ?? {});
  for (const key of Object.keys(values))
    if (!GLOBAL.includes(key as OptionName) && !own.includes(key))
      throw bad(`--${key} does not apply to ${domain.name} ${sub.name}`);
  if (args.length < sub.arity.min || args.length > sub.arity.max)
    throw bad(
      `${domain.name} ${sub.name} takes ${sub.arity.names}; got ${args.length ? args.map((a) => JSON.stringify(a)).join(' ') : 'nothing'}`,
    );
  const ownValues = Object.fromEntries(Object.entries(values).filter(([k]) => own.includes(k)));
  return {
    cmd: 'domain',
    domain,
    subcommand: sub,
    input: sub.parse({ args, values: ownValues, cwd, globals }),
  };
}
