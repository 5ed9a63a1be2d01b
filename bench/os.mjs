#!/usr/bin/env node
// OS check benchmark, apt backend (`npm run bench:os`, which builds first). Builds a flat repository of 200 fake
// packages served over HTTP on 127.0.0.1 (180 ordinary ones, 20 named like OS-relevant ones: linux-image-*,
// systemd*, libc6..., each of those at 1.0 and 1.1, plus a few ordinary upgrades) and a throwaway root with every 1.0
// installed by dpkg. Then in interleaved rounds (each side once per round, so a busy moment hits all of them):
//   1. the app: `node bin/kintsugi.js os check --backend apt --root ROOT --json --state-dir WORK/state` (its check
//      runs `apt-get update`, then the simulated upgrade split by the OS-relevant list, with download sizes and
//      dpkg --audit, and records the outcome in WORK/state)
//   2. bare apt with the same APT config (Dir, Dir::State::status, dpkg --root/--admindir, C locale):
//      `apt-get -q update` then `apt-get -s --with-new-pkgs upgrade`
//   3. node's own start-up, `node -e 0`, and the CLI's, `node bin/kintsugi.js --version` (node plus loading the
//      command-line grammar: what every `kintsugi` command pays before it does anything)
// Both 1 and 2 include `apt-get update`: a check is the refresh and the listing, so the fair comparison is both. The
// repository does not change between rounds, so every update after the first finds the indexes current (as a
// daily check mostly does). Prints medians and the targets: app <= 1.5 x bare apt, and <= 2 s.
// The floor: any check written as a node program pays node's start-up before its first apt run, and against a local
// repository (no network wait) that start-up is about as long as bare apt itself, so `node -e 0` + bare apt is the
// least a node CLI could take, and 1.5 x bare apt can lie below it. The bench prints that floor and the app's ratio
// to it beside the target, so a miss says whether it is the CLI's own work or the floor.
// Env: BENCH_ROUNDS (default 7), KEEP=1 keeps bench/.work/os, BENCH_APP_CMD (a JSON array, ROOT replaced by the
// root) to time another entry point than the CLI (e.g. a script calling the backend directly).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Buffer } from 'node:buffer';

import { log, median, root } from './lib.mjs';

const run = promisify(execFile);
/** `kintsugi os check`: 0 up to date, 10 updates available (the bench's root always has them). */
const APP_EXITS = [0, 10];
const work = join(root, 'bench', '.work', 'os');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const OS_NAMES = [
  'linux-image-6.1.0-9-amd64',
  'linux-headers-6.1.0-9-amd64',
  'initramfs-tools',
  'systemd',
  'systemd-sysv',
  'libsystemd0',
  'udev',
  'libc6',
  'libc-bin',
  'dbus',
  'base-files',
  'util-linux',
  'mount',
  'login',
  'passwd',
  'openssl',
  'libssl3',
  'ca-certificates',
  'tzdata',
  'kintsugi-tools',
];
const OTHER = Array.from({ length: 180 }, (_, i) => `bench-pkg-${String(i).padStart(3, '0')}`);
const OTHER_UPGRADED = OTHER.slice(0, 5);

async function buildDeb(name, version) {
  const d = join(work, 'build', `${name}_${version}`);
  await mkdir(join(d, 'DEBIAN'), { recursive: true });
  await mkdir(join(d, 'usr/share', name), { recursive: true });
  await writeFile(join(d, 'usr/share', name, 'VERSION'), `${name} ${version}\n`);
  await writeFile(
    join(d, 'DEBIAN/control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: bench <b@example.invalid>\nDescription: fake ${name}\n`,
  );
  await mkdir(join(work, 'www/pool'), { recursive: true });
  const out = join(work, 'www/pool', `${name}_${version}_all.deb`);
  await run('dpkg-deb', ['-Zgzip', '--root-owner-group', '--build', d, out]);
  return out;
}

/** Packages + Release of a flat repository (no apt-utils needed), Suite stable-security for the security flag. */
async function writeIndex() {
  const repo = join(work, 'www');
  const stanzas = [];
  for (const f of (await readdir(join(repo, 'pool'))).sort()) {
    const bytes = await readFile(join(repo, 'pool', f));
    const { stdout } = await run('dpkg-deb', ['--field', join(repo, 'pool', f)]);
    const sha = createHash('sha256').update(bytes).digest('hex');
    stanzas.push(`${stdout.trim()}\nFilename: ./pool/${f}\nSize: ${bytes.length}\nSHA256: ${sha}\n`);
  }
  const packages = stanzas.join('\n');
  await writeFile(join(repo, 'Packages'), packages);
  const sha = createHash('sha256').update(packages).digest('hex');
  await writeFile(
    join(repo, 'Release'),
    `Origin: Bench\nLabel: Bench\nSuite: stable-security\nDate: ${new Date().toUTCString()}\nSHA256:\n ${sha} ${Buffer.byteLength(packages)} Packages\n`,
  );
}

function serve(dir) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path.includes('..')) return void res.writeHead(400).end();
    readFile(join(dir, path)).then(
      (body) => res.writeHead(200, { 'content-length': body.length }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

/** OK_EXITS: exit codes that are answers, not failures (`kintsugi os check` exits 10 when updates are available). */
async function timed(file, args, env, okExits = [0]) {
  const t = performance.now();
  const r = await run(file, args, { env, maxBuffer: 64 * 1024 * 1024 }).catch((err) => {
    if (okExits.includes(err.code)) return err;
    throw err;
  });
  return { ms: performance.now() - t, stdout: r.stdout };
}

async function main() {
  await rm(work, { recursive: true, force: true });
  log(
    `Building ${OS_NAMES.length + OTHER.length} packages (+ ${OS_NAMES.length + OTHER_UPGRADED.length} newer)...`,
  );
  const installed = [];
  for (const n of [...OS_NAMES, ...OTHER]) installed.push(await buildDeb(n, '1.0'));
  for (const n of [...OS_NAMES, ...OTHER_UPGRADED]) await buildDeb(n, '1.1');
  await writeIndex();
  const server = await serve(join(work, 'www'));
  const base = `http://127.0.0.1:${server.address().port}`;

  const R = join(work, 'root');
  for (const d of [
    'etc/apt/apt.conf.d',
    'etc/apt/preferences.d',
    'etc/apt/sources.list.d',
    'var/lib/apt/lists/partial',
    'var/cache/apt/archives/partial',
    'var/lib/dpkg/info',
    'var/lib/dpkg/updates',
    'var/log/apt',
  ])
    await mkdir(join(R, d), { recursive: true });
  await writeFile(join(R, 'var/lib/dpkg/status'), '');
  await writeFile(join(R, 'etc/apt/sources.list'), `deb [trusted=yes] ${base}/ ./\n`);
  await writeFile(join(R, 'etc/os-release'), 'PRETTY_NAME="Bench OS"\nVERSION_ID=1\n');
  const admin = join(R, 'var/lib/dpkg');
  // The same config the app generates for a root (src/main/core/os/apt/apt-target.ts).
  const conf = join(work, 'apt.conf');
  await writeFile(
    conf,
    `Dir "${R}/";\nDir::State::status "${admin}/status";\n` +
      `DPkg::Options { "--root=${R}"; "--admindir=${admin}"; "--log=${R}/var/log/dpkg.log"; };\n`,
  );
  const aptEnv = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LC_ALL: 'C',
    LANG: 'C',
    DEBIAN_FRONTEND: 'noninteractive',
    APT_CONFIG: conf,
  };
  const { stdout: guard } = await run('apt-config', ['shell', 'D', 'Dir'], { env: aptEnv });
  if (guard.trim() !== `D='${R}/'`) throw new Error(`refusing: apt is not isolated (${guard.trim()})`);
  log('Installing the 1.0 packages into the throwaway root...');
  await run('dpkg', [`--root=${R}`, `--admindir=${admin}`, '--install', ...installed], { env: aptEnv });
  await run('apt-get', ['-q', 'update'], { env: aptEnv });

  const appCmd = process.env.BENCH_APP_CMD
    ? JSON.parse(process.env.BENCH_APP_CMD).map((a) => a.replaceAll('ROOT', R))
    : [
        process.execPath,
        join(root, 'bin', 'kintsugi.js'),
        'os',
        'check',
        '--backend',
        'apt',
        '--root',
        R,
        '--json',
        // Its own state dir: the bench's job records stay in its work folder, never in ~/.local/state.
        '--state-dir',
        join(work, 'state'),
      ];
  if (!process.env.BENCH_APP_CMD && !existsSync(join(root, 'out', 'main', 'cli.js')))
    throw new Error('out/main/cli.js is missing: run `npm run build` first (npm run bench:os does)');
  // One warm-up of each, and a check that the app answers what the bench built.
  const first = await timed(appCmd[0], appCmd.slice(1), process.env, APP_EXITS).catch((err) => {
    throw new Error(
      `the app's check failed (${appCmd.join(' ')}): ${err.stderr || err.message}\n` +
        'Until `kintsugi os check` exists, time the backend directly with BENCH_APP_CMD.',
    );
  });
  const answer = JSON.parse(first.stdout.trim().split('\n').at(-1));
  const state = answer.result ?? answer;
  if (state.updates?.length !== OS_NAMES.length || state.notOsUpdates?.length !== OTHER_UPGRADED.length)
    throw new Error(
      `the app listed ${state.updates?.length} OS updates / ${state.notOsUpdates?.length} others: ${first.stdout.slice(0, 400)}`,
    );
  const bare = async () => {
    const a = await timed('apt-get', ['-q', 'update'], aptEnv);
    const b = await timed(
      'apt-get',
      ['-s', '-o', 'Debug::NoLocking=1', '--with-new-pkgs', 'upgrade'],
      aptEnv,
    );
    if ((b.stdout.match(/^Inst /gm) ?? []).length !== OS_NAMES.length + OTHER_UPGRADED.length)
      throw new Error('bare apt does not see the upgrades');
    return a.ms + b.ms;
  };
  await bare();

  const cliStart = [process.execPath, join(root, 'bin', 'kintsugi.js'), '--version'];
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  const loadBefore = load();
  const apps = [];
  const bares = [];
  const nodeStart = [];
  const cliStarts = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const a = (await timed(appCmd[0], appCmd.slice(1), process.env, APP_EXITS)).ms;
    const b = await bare();
    const n = (await timed(process.execPath, ['-e', '0'], process.env)).ms;
    const c = (await timed(cliStart[0], cliStart.slice(1), process.env)).ms;
    apps.push(a);
    bares.push(b);
    nodeStart.push(n);
    cliStarts.push(c);
    log(
      `round ${r}: app ${a.toFixed(0)} ms, bare apt ${b.toFixed(0)} ms, node -e 0 ${n.toFixed(0)} ms, kintsugi --version ${c.toFixed(0)} ms`,
    );
  }
  server.closeAllConnections();
  server.close();

  const app = median(apps);
  const bareApt = median(bares);
  const floor = median(nodeStart) + bareApt;
  const ratio = app / bareApt;
  const row = (label, ms, note = '') => `  ${label.padEnd(56)}${ms.toFixed(0).padStart(5)} ms${note}`;
  const appLabel = process.env.BENCH_APP_CMD
    ? 'app (BENCH_APP_CMD)'
    : 'app: kintsugi os check --backend apt --root ROOT';
  const lines = [
    `${ROUNDS} interleaved rounds, load average ${loadBefore} before, ${load()} after; medians:`,
    row(appLabel, app),
    row('bare apt: update + simulated upgrade, same config', bareApt),
    row('node start-up alone: node -e 0', median(nodeStart)),
    row("the CLI's start-up: kintsugi --version", median(cliStarts)),
    row('floor: node start-up + bare apt', floor, ` = ${(floor / bareApt).toFixed(2)} x bare apt`),
    `ratio ${ratio.toFixed(2)} x bare apt (target <= 1.5): ${ratio <= 1.5 ? 'MET' : 'MISSED'}` +
      (floor > 1.5 * bareApt ? ' (the target is below the floor: no node program can meet it here)' : ''),
    `ratio ${(app / floor).toFixed(2)} x the floor (the app's own work on top of node start-up and apt: ${(app - floor).toFixed(0)} ms)`,
    `app check ${(app / 1000).toFixed(2)} s (target <= 2 s): ${app <= 2000 ? 'MET' : 'MISSED'}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (!process.env.KEEP) await rm(work, { recursive: true, force: true });
}

main().catch(async (err) => {
  log(err.stack ?? String(err));
  if (!process.env.KEEP) await rm(work, { recursive: true, force: true });
  process.exit(1);
});
