import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

// A STAND-IN for rpm-ostree, used only because rpm-ostree is not packaged in Debian and cannot run here (it needs
// its D-Bus daemon and a booted ostree system). It is not rpm-ostree: it is an executable named `rpm-ostree`
// written to a temp folder that the test puts first on PATH, answering from a JSON state file with the output
// format and exit codes of coreos/rpm-ostree v2026.2 (commit d5ef5f0):
// - `status --json`: {deployments, transaction, cached-update, update-driver} as src/app/rpmostree-builtin-status.cxx
//   builds them; deployment keys from rust/src/daemon.rs deployment_populate_variant and
//   src/daemon/rpmostreed-deployment-utils.cxx; the cached update's rpm-diff and advisories in the GVariant
//   shapes of src/daemon/org.projectatomic.rpmostree1.xml, serialized by json-glib (tuples as arrays).
// - `upgrade --check`: the "may be unreliable" note on stderr, "No updates available." and exit 77, else exit 0
//   (src/app/rpmostree-builtin-upgrade.cxx).
// - `upgrade [--unchanged-exit-77]`: stages the cached update as a new first deployment (exit 77 when nothing
//   changed and asked to).
// - `rollback`: src/daemon/rpmostreed-transaction-types.cxx rollback_transaction_execute: "No rollback
//   deployment found", "Staged deployment (remove with cleanup -p)", else moves the target first.
// - any transaction verb while one is active: "error: Transaction in progress: <title>" and exit 1
//   (src/daemon/rpmostreed-sysroot.cxx). An active transaction ends after `endsAfterPolls` status calls;
//   `raceOnNextVerb` starts one just before our next verb (another client winning the race).
// Every call is appended to calls.json, so a test can say what the backend ran.

export interface StandinDeployment {
  id?: string;
  osname: string;
  checksum: string;
  serial?: number;
  booted?: boolean;
  staged?: boolean;
  pinned?: boolean;
  version?: string;
  origin?: string;
  timestamp?: number;
}

export interface StandinState {
  deployments: StandinDeployment[];
  /** ActiveTransaction: (method name, sender, object path). */
  transaction: [string, string, string] | null;
  /** The active transaction ends after this many `status` calls (null: never on its own). */
  endsAfterPolls: number | null;
  'cached-update': Record<string, unknown> | null;
  /** Another client starts this transaction just before our next transaction verb (it ends after one poll). */
  raceOnNextVerb?: [string, string, string];
}

export interface RpmOstreeStandin {
  binDir: string;
  /** Every call's arguments, in order. */
  calls(): Promise<string[][]>;
  state(): Promise<StandinState>;
  setState(s: StandinState): Promise<void>;
  /** Restores PATH and deletes the folder. */
  cleanup(): Promise<void>;
}

/** A deployment dict with upstream's keys; checksums are 64 hex digits made from SEED. */
export function standinDeployment(seed: string, over: Partial<StandinDeployment> = {}): StandinDeployment {
  const checksum = over.checksum ?? seed.repeat(64).slice(0, 64);
  const osname = over.osname ?? 'fedora';
  return {
    id: `${osname}-${checksum}.0`,
    osname,
    checksum,
    serial: 0,
    booted: false,
    staged: false,
    pinned: false,
    origin: 'fedora:fedora/40/x86_64/silverblue',
    timestamp: 1_700_000_000,
    ...over,
  };
}

const SCRIPT = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const dir = __dirname;
const statePath = path.join(dir, 'state.json');
const callsPath = path.join(dir, 'calls.json');
const args = process.argv.slice(2);
const calls = JSON.parse(fs.readFileSync(callsPath, 'utf8'));
calls.push(args);
fs.writeFileSync(callsPath, JSON.stringify(calls));
const st = JSON.parse(fs.readFileSync(statePath, 'utf8'));
const save = () => fs.writeFileSync(statePath, JSON.stringify(st, null, 2));
const fail = (msg) => { process.stderr.write('error: ' + msg + '\n'); process.exit(1); };
const busy = () => {
  if (st.raceOnNextVerb) { st.transaction = st.raceOnNextVerb; st.endsAfterPolls = 1; delete st.raceOnNextVerb; save(); }
  if (st.transaction) fail('Transaction in progress: ' + st.transaction[0] + '\n You can cancel the current transaction with ' + '\x60rpm-ostree cancel\x60');
};
const verb = args[0];
if (verb === 'status' && args.includes('--json')) {
  process.stdout.write(JSON.stringify({ deployments: st.deployments, transaction: st.transaction, 'cached-update': st['cached-update'], 'update-driver': null }, null, 2) + '\n');
  if (st.transaction && st.endsAfterPolls !== null) {
    st.endsAfterPolls -= 1;
    if (st.endsAfterPolls <= 0) { st.transaction = null; st.endsAfterPolls = null; }
    save();
  }
  process.exit(0);
}
if (verb === 'upgrade' && args.includes('--check')) {
  busy();
  process.stderr.write('Note: --check and --preview may be unreliable.  See https://github.com/coreos/rpm-ostree/issues/1579\n');
  const cu = st['cached-update'];
  if (!cu) { process.stdout.write('No updates available.\n'); process.exit(77); }
  process.stdout.write('AvailableUpdate:\n        Version: ' + (cu.version || '') + '\n         Commit: ' + cu.checksum + '\n');
  process.exit(0);
}
if (verb === 'upgrade') {
  busy();
  const cu = st['cached-update'];
  if (!cu) { process.stdout.write('No upgrade available.\n'); process.exit(args.includes('--unchanged-exit-77') ? 77 : 0); }
  const booted = st.deployments.find((d) => d.booted);
  const osname = cu.osname || (booted ? booted.osname : 'fedora');
  st.deployments = st.deployments.filter((d) => !d.staged);
  st.deployments.unshift({ id: osname + '-' + cu.checksum + '.0', osname, checksum: cu.checksum, serial: 0, booted: false, staged: true, pinned: false, version: cu.version, origin: cu.origin, timestamp: cu.timestamp });
  st['cached-update'] = null;
  save();
  process.stdout.write('Staging deployment... done\nRun "systemctl reboot" to start a reboot\n');
  process.exit(0);
}
if (verb === 'rollback') {
  busy();
  const bi = st.deployments.findIndex((d) => d.booted);
  const b = st.deployments[bi];
  const mine = (d) => d.osname === b.osname;
  const pending = st.deployments.slice(0, bi).find(mine);
  let rollback = st.deployments.slice(bi + 1).find(mine);
  if (!rollback && !pending) fail('No rollback deployment found');
  if (pending && pending.staged) fail('Staged deployment (remove with cleanup -p)');
  if (!rollback) rollback = b;
  process.stdout.write("Moving '" + rollback.checksum + '.' + rollback.serial + "' to be first deployment\n");
  st.deployments = [rollback, ...st.deployments.filter((d) => d !== rollback)];
  save();
  process.exit(0);
}
fail('the rpm-ostree stand-in does not implement: ' + args.join(' '));
`;

/** Writes the stand-in and puts its folder first on PATH (restored by cleanup). */
export async function installRpmOstreeStandin(initial: StandinState): Promise<RpmOstreeStandin> {
  const binDir = await mkdtemp(join(tmpdir(), 'kintsugi-rpm-ostree-standin-'));
  const statePath = join(binDir, 'state.json');
  const callsPath = join(binDir, 'calls.json');
  await writeFile(join(binDir, 'standin.cjs'), SCRIPT);
  // The executable itself: node (this very binary, by absolute path) running the script beside it.
  await writeFile(
    join(binDir, 'rpm-ostree'),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(binDir, 'standin.cjs'))} "$@"\n`,
  );
  await chmod(join(binDir, 'rpm-ostree'), 0o755);
  await writeFile(statePath, JSON.stringify(initial, null, 2));
  await writeFile(callsPath, '[]');
  const savedPath = process.env.PATH;
  process.env.PATH = `${binDir}${delimiter}${savedPath ?? ''}`;
  return {
    binDir,
    calls: async () => JSON.parse(await readFile(callsPath, 'utf8')) as string[][],
    state: async () => JSON.parse(await readFile(statePath, 'utf8')) as StandinState,
    setState: (s) => writeFile(statePath, JSON.stringify(s, null, 2)),
    async cleanup() {
      process.env.PATH = savedPath;
      await rm(binDir, { recursive: true, force: true });
    },
  };
}
