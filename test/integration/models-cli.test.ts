import { execa, type ResultPromise } from 'execa';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSHA256 } from 'hash-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cliRunner } from '../helpers/cli';
import { writeGgufFile } from '../helpers/gguf-fixture';
import { startHfServer } from '../helpers/hf-server';
import { hfEntry, modelsDataRoot, writeUserManifest } from '../helpers/models-fixture';

// The built `kintsugi-models` bin, as a process, with the guide's command lines, against the local Hugging Face
// stand-in. A pull killed with SIGKILL mid-way continues, in the next process, where the bytes on disk end.

const BIN = resolve('bin/kintsugi-models.js');
const MiB = 1024 * 1024;
const SIZE = 64 * MiB;

let hf: Awaited<ReturnType<typeof startHfServer>>;
let fixtures: string;
let sha: string;
let root: string;
let state: string;

beforeAll(async () => {
  await assertCliBuilt();
  hf = await startHfServer();
  fixtures = await mkdtemp(join(tmpdir(), 'kintsugi-models-cli-'));
  state = join(fixtures, 'state');
  sha = await writeGgufFile(join(fixtures, 'big.gguf'), SIZE, 5);
  hf.files.set('big.gguf', { path: join(fixtures, 'big.gguf'), sha256: sha });
  root = await modelsDataRoot();
  await writeUserManifest(
    root,
    `models:\n${hfEntry({ slug: 'big', file: 'big.gguf', size: SIZE, sha256: sha })}\n`,
  );
});
afterAll(async () => {
  await hf.close();
  await rm(fixtures, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

const run = (args: string[]): ResultPromise<{ reject: false; env: Record<string, string> }> =>
  execa(process.execPath, [BIN, ...args], {
    reject: false,
    env: { HF_ENDPOINT: hf.base, XDG_STATE_HOME: state },
    stdin: 'ignore',
    timeout: 120_000,
  } as never) as never;

const lastJson = (stdout: string) =>
  JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    result: {
      resumedFrom: number;
      reread: number;
      models: { slug: string }[];
      ollama: { reachable: boolean };
    };
    error: { code: string; detail?: string };
  };

describe('kintsugi-models (built bin)', () => {
  it('a pull killed with SIGKILL at half-way continues in the next process from the bytes on disk', async () => {
    // The server stalls after 40 MiB, so the first process is certainly mid-way when it is killed.
    hf.faults.stallAfter = { bytes: 40 * MiB, times: 1 };
    const first = run(['pull', 'big', '--json', '--progress', '--data-root', root]);
    await new Promise<void>((ok, fail) => {
      first.stdout!.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n')) {
          const bytes = /"bytes":(\d+)/.exec(line);
          if (bytes && Number(bytes[1]) >= SIZE / 2) {
            first.kill('SIGKILL');
            ok();
          }
        }
      });
      void first.then(() => fail(new Error('the first pull ended before it was killed')));
    });
    await first;
    const partial = (await stat(join(root, 'models', 'user', 'big.gguf.incomplete'))).size;
    expect(partial).toBeGreaterThanOrEqual(SIZE / 2);
    // The killed process's record: the bytes written in this boot (the page cache kept them), fewer fsynced.
    const record = JSON.parse(
      await readFile(join(root, 'models', 'user', 'big.gguf.incomplete.json'), 'utf8'),
    ) as {
      bytes: number;
      durableBytes: number;
      bootId: string;
      hashed: { bytes: number; state: string };
      durableHashed: { bytes: number; state: string };
    };
    expect(record.bootId).toBe((await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim());
    expect(record.durableBytes).toBeLessThanOrEqual(record.bytes);
    // Each count goes with a sha256 state within it, and each state is the sha256 of exactly that prefix.
    expect(record.hashed.bytes).toBeLessThanOrEqual(record.bytes);
    expect(record.durableHashed.bytes).toBeLessThanOrEqual(record.durableBytes);
    const onDisk = await readFile(join(root, 'models', 'user', 'big.gguf.incomplete'));
    for (const h of [record.hashed, record.durableHashed])
      expect((await createSHA256()).load(Buffer.from(h.state, 'base64')).digest('hex')).toBe(
        createHash('sha256').update(onDisk.subarray(0, h.bytes)).digest('hex'),
      );

    const before = hf.bodyBytes();
    const second = await run(['pull', 'big', '--json', '--data-root', root]);
    expect(second.exitCode).toBe(0);
    const r = lastJson(second.stdout).result;
    // Same boot: from every byte the record names as written, not only the fsynced ones.
    expect(r.resumedFrom).toBe(record.bytes);
    expect(r.resumedFrom).toBeLessThanOrEqual(partial);
    // Re-read from disk for the sha256: only the bytes past the state, not the whole kept prefix.
    expect(r.reread).toBe(record.bytes - record.hashed.bytes);
    // Fetched again: only what lay past the last record (8 MiB) plus the batch in flight.
    expect(hf.bodyBytes() - before).toBe(SIZE - r.resumedFrom);
    expect(r.resumedFrom).toBeGreaterThanOrEqual(partial - 12 * MiB);
    expect(
      createHash('sha256')
        .update(await readFile(join(root, 'models', 'user', 'big.gguf')))
        .digest('hex'),
    ).toBe(sha);
  });

  it('list --sizes and list --json show the file with its header', async () => {
    const human = await run(['list', '--sizes', '--data-root', root]);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(/big\s+user-only\s+huggingface\s+installed\s+64(\.0)? MiB\s+llama Q4_K_M/);
    const json = lastJson((await run(['list', '--json', '--data-root', root])).stdout);
    expect(json.result.models.find((m: { slug: string }) => m.slug === 'big')).toMatchObject({
      status: 'installed',
    });
    expect(json.result.ollama.reachable).toBe(false);
  });

  it('verify --all: OK for the file, exit 0; a corrupted byte: MISMATCH, exit 1', async () => {
    const ok = await run(['verify', 'big', '--data-root', root]);
    expect(ok.stdout).toMatch(/^OK\s+big/m);
    expect(ok.exitCode).toBe(0);
    const path = join(root, 'models', 'user', 'big.gguf');
    await execa('dd', [
      'if=/dev/zero',
      `of=${path}`,
      'bs=1',
      'count=1',
      'seek=1000000',
      'conv=notrunc',
      'status=none',
    ]);
    const bad = await run(['verify', '--all', '--data-root', root]);
    expect(bad.stdout).toMatch(/^MISMATCH\s+big/m);
    expect(bad.exitCode).toBe(1);
  });

  it('bad input: an injected slug exits 2; an unknown slug exits 1 with MODEL_NOT_FOUND', async () => {
    const inj = await run(['pull', 'a;rm -rf /', '--json', '--data-root', root]);
    expect(inj.exitCode).toBe(2);
    expect(lastJson(inj.stdout).error.code).toBe('INVALID_ARGUMENT');
    const unknown = await run(['pull', 'nope', '--json', '--data-root', root]);
    expect(unknown.exitCode).toBe(1);
    expect(lastJson(unknown.stdout).error.code).toBe('MODEL_NOT_FOUND');
  });

  it('pull --missing without a terminal asks for --yes instead of pulling', async () => {
    await rm(join(root, 'models', 'user', 'big.gguf'));
    const r = await run(['pull', '--missing', '--json', '--data-root', root]);
    expect(r.exitCode).toBe(1);
    expect(lastJson(r.stdout).error).toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      detail: expect.stringMatching(/64(\.0)? MiB.*big/),
    });
  });

  it('pull --missing at a terminal shows the total first; anything but yes pulls nothing, yes pulls it', async () => {
    const { cliOnPty } = cliRunner(() => fixtures);
    process.env['HF_ENDPOINT'] = hf.base; // execa extends this process's environment with cliOnPty's own
    try {
      const no = await cliOnPty(['models', 'pull', '--missing', '--data-root', root], 'no');
      expect(no.stdout).toMatch(/Will pull 1 model\(s\), 64(\.0)? MiB.*: big/);
      expect(no.exitCode).toBe(1);
      expect(await stat(join(root, 'models', 'user', 'big.gguf')).catch(() => null)).toBeNull();
      const yes = await cliOnPty(['models', 'pull', '--missing', '--data-root', root], 'yes');
      expect(yes.exitCode).toBe(0);
      expect((await stat(join(root, 'models', 'user', 'big.gguf'))).size).toBe(SIZE);
    } finally {
      delete process.env['HF_ENDPOINT'];
    }
  });

  it('version', async () => {
    const r = await run(['version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^kintsugi \d+\.\d+\.\d+/);
  });
});
