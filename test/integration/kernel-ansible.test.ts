import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { assertCliBuilt } from '../helpers/cli';
import { dpkgState, kernelDeb, kernelRoot, manifest, PKG, type KernelRoot } from '../helpers/kernel-root';

// Debian's ansible-playbook runs ansible/kernel-rollout.yml against three local hosts (ansible_connection=local),
// each with its own throwaway root, backup folder and data root, calling the built CLI. No reboot
// (kintsugi_reboot: false): host 1's heartbeat is written ahead (the new release, a future mtime) and confirms;
// host 2 gets none within its 1 s and is rolled back; the rollout stops there and host 3 is never touched.
// ansible/refresh.yml: --syntax-check, and one run with only the `models` tag (`os check` is another branch's).
// The fleet/<host>.yaml files carry the HostManifest fields as they are; reading them is the fleet loader's job
// (kernel-promote branch): this test needs that loader merged into the built CLI.

const ANSIBLE = resolve('ansible');
let dir: string;
const hosts: Record<string, KernelRoot> = {};
let pkg: string;

const ansibleEnv = () => ({
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_RETRY_FILES_ENABLED: '0',
  ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
  ANSIBLE_REMOTE_TEMP: join(dir, 'ansible-tmp'),
  ANSIBLE_HOME: join(dir, 'ansible-home'),
});

function host(name: string, k: KernelRoot, timeout: number) {
  return {
    ansible_connection: 'local',
    ansible_python_interpreter: '/usr/bin/python3',
    kintsugi_bin: resolve('bin/kintsugi.js'),
    kintsugi_root: k.root,
    kintsugi_backup_dir: join(k.dir, 'backups'),
    kintsugi_data_root: join(k.dir, 'data'),
    kintsugi_reboot: false,
    kintsugi_heartbeat_timeout: timeout,
    kintsugi_environment: { XDG_STATE_HOME: join(k.dir, 'state') },
  };
}

beforeAll(async () => {
  await assertCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-ansible-'));
  for (const h of ['h1', 'h2', 'h3']) hosts[h] = await kernelRoot();
  pkg = (await kernelDeb(dir, { version: '6.6.2-1', release: '6.6.2-kintsugi' })).file;
  await mkdir(join(dir, 'ws', 'fleet'), { recursive: true });
  for (const h of Object.keys(hosts))
    await writeFile(join(dir, 'ws', 'fleet', `${h}.yaml`), stringify(manifest(h)));
  // h1's "reboot": the new kernel's heartbeat, dated after the install will be.
  const hb = join(hosts['h1']!.root, 'var/lib/kintsugi/heartbeat');
  await mkdir(join(hb, '..'), { recursive: true });
  await writeFile(hb, '6.6.2-kintsugi\n');
  const later = new Date(Date.now() + 3600_000);
  await utimes(hb, later, later);
  await writeFile(
    join(dir, 'inventory.yml'),
    stringify({
      all: {
        hosts: {
          h1: host('h1', hosts['h1']!, 30),
          h2: host('h2', hosts['h2']!, 1),
          h3: host('h3', hosts['h3']!, 30),
        },
      },
    }),
  );
});

afterAll(async () => {
  for (const k of Object.values(hosts)) await rm(k.dir, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

const stateOf = async (k: KernelRoot) =>
  JSON.parse(
    await readFile(
      join(k.root, 'var/lib/kintsugi/kernel', `${Object.keys(hosts).find((h) => hosts[h] === k)}.json`),
      'utf8',
    ),
  );

describe('ansible', () => {
  it('both playbooks pass --syntax-check', async () => {
    const r = await execa(
      'ansible-playbook',
      [
        '--syntax-check',
        '-i',
        join(ANSIBLE, 'inventory.example.yml'),
        join(ANSIBLE, 'kernel-rollout.yml'),
        join(ANSIBLE, 'refresh.yml'),
      ],
      { reject: false, env: ansibleEnv() },
    );
    expect(r.stderr + r.stdout).not.toMatch(/ERROR/);
    expect(r.exitCode).toBe(0);
  });

  it('the rollout upgrades h1, rolls h2 back when its heartbeat never comes, and never touches h3', async () => {
    const r = await execa(
      'ansible-playbook',
      [
        '-i',
        join(dir, 'inventory.yml'),
        join(ANSIBLE, 'kernel-rollout.yml'),
        '-e',
        `kernel_package=${pkg}`,
        '-e',
        `workspace=${join(dir, 'ws')}`,
      ],
      { reject: false, env: ansibleEnv(), timeout: 120_000 },
    );
    const log = r.stdout + r.stderr;
    // Until kernel-promote's loader is merged, every install fails here, at h1, saying so.
    expect(log, 'needs the fleet manifest loader (kernel-promote) in the built CLI').not.toContain(
      'the fleet manifest loader is not built yet',
    );
    expect(r.exitCode, log).toBe(2);
    expect(log).toContain('kernel rollout stopped at h2');

    expect(await dpkgState(hosts['h1']!.root)).toBe(`${PKG} 6.6.2-1 ii`);
    expect((await stateOf(hosts['h1']!)).phase).toBe('pending-heartbeat');
    const status = await execa(resolve('bin/ka-status.js'), ['h1', '--root', hosts['h1']!.root, '--json'], {
      env: { XDG_STATE_HOME: join(dir, 'state') },
    });
    expect(JSON.parse(status.stdout).result.state).toBe('confirmed');

    expect(await dpkgState(hosts['h2']!.root)).toBe(`${PKG} 6.6.1-1 ii`);
    expect((await stateOf(hosts['h2']!)).phase).toBe('rolled-back');
    for (const [p, bytes] of Object.entries(hosts['h2']!.old.files))
      expect(Buffer.compare(await readFile(join(hosts['h2']!.root, p)), bytes), p).toBe(0);

    expect(await dpkgState(hosts['h3']!.root)).toBe(`${PKG} 6.6.1-1 ii`);
    expect(await stat(join(hosts['h3']!.root, 'var/cache/kintsugi')).catch(() => null)).toBeNull();
    expect(await stat(join(hosts['h3']!.root, 'var/lib/kintsugi')).catch(() => null)).toBeNull();
  });

  it('refresh with only the models tag: a summary per host, no model pull unless asked', async () => {
    const r = await execa(
      'ansible-playbook',
      [
        '-i',
        join(dir, 'inventory.yml'),
        '--limit',
        'h1,h3',
        '--tags',
        'models',
        join(ANSIBLE, 'refresh.yml'),
      ],
      { reject: false, env: { ...ansibleEnv(), OLLAMA_HOST: 'http://127.0.0.1:9' }, timeout: 120_000 },
    );
    const log = r.stdout + r.stderr;
    // The recommended models are not on these empty data roots and no Ollama answers: verify reports it (exit 1),
    // the summary carries it, and the host fails after its summary.
    const summary = log.slice(log.indexOf('TASK [Summary for this host]'));
    expect(summary).toContain('"host": "h1"');
    expect(summary).toContain('"host": "h3"');
    expect(log).toMatch(/"models": \[[^\]]*"missing"/);
    expect(log).not.toMatch(/TASK \[Pull the toolkit clone\]/);
    expect(log).toMatch(/TASK \[Pull the missing recommended models[^\n]*\n(skipping: \[h[13]\]\n){2}\nTASK/);
    expect(r.exitCode, log).toBe(2);
  });
});
