import { createHash } from 'node:crypto';
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSHA256 } from 'hash-wasm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { pullModel, type PullDeps } from '../../src/main/core/models/pull';
import { listModels } from '../../src/main/core/models/catalog';
import { modelRunnersWith } from '../../src/main/core/models/jobs';
import type { OllamaBackend } from '../../src/main/core/models/ollama-backend';
import { writeGgufFile } from '../helpers/gguf-fixture';
import { startHfServer } from '../helpers/hf-server';
import { hfEntry, modelsDataRoot, recordingContext, writeUserManifest } from '../helpers/models-fixture';

// Hugging Face pulls against a real HTTP server on 127.0.0.1 (test/helpers/hf-server.ts) serving generated GGUF
// files, with each fault the issue names. The Ollama side is not used by these entries; the backend passed in is
// a fake that fails every call, named as such.

const MiB = 1024 * 1024;
const SIZE = 24 * MiB;

const failingOllamaFake = (): OllamaBackend => {
  const no = async (): Promise<never> => {
    throw new Error('the Ollama fake is not used by these tests');
  };
  return { host: 'fake', version: no, list: no, pull: no, verify: no, remove: no };
};

let hf: Awaited<ReturnType<typeof startHfServer>>;
let fixtures: string;
let shaA: string;
let shaB: string;
let root: string;

beforeAll(async () => {
  hf = await startHfServer({ revisions: ['main', 'v1'] });
  fixtures = await modelsDataRoot();
  shaA = await writeGgufFile(join(fixtures, 'a.gguf'), SIZE, 1);
  shaB = await writeGgufFile(join(fixtures, 'b.gguf'), SIZE, 2);
});
afterAll(async () => {
  await hf.close();
  await rm(fixtures, { recursive: true, force: true });
});

beforeEach(async () => {
  root = await modelsDataRoot();
  hf.files.clear();
  hf.files.set('tiny.gguf', { path: join(fixtures, 'a.gguf'), sha256: shaA });
  for (const k of Object.keys(hf.faults)) delete (hf.faults as Record<string, unknown>)[k];
  hf.log.length = 0;
});
afterEach(() => rm(root, { recursive: true, force: true }));

const deps = (extra: Partial<PullDeps['download']> = {}): PullDeps => ({
  ollama: failingOllamaFake,
  env: { HF_ENDPOINT: hf.base, HF_TOKEN: 'hf_secret_token' },
  download: { stallMs: 2000, backoffMs: 20, retries: 3, ...extra },
});

async function manifest(e: { size?: number; sha256?: string; revision?: string } = { size: SIZE }) {
  await writeUserManifest(root, `models:\n${hfEntry({ slug: 'tiny', file: 'tiny.gguf', ...e })}\n`);
}

const dest = () => join(root, 'models', 'user', 'tiny.gguf');
const sha = async (p: string) =>
  createHash('sha256')
    .update(await readFile(p))
    .digest('hex');
const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** A pull cancelled once half the file is in: its partial file and record stay. */
async function cancelAtHalf(): Promise<void> {
  const ctx = recordingContext((p, c) => {
    if (p.kind === 'models' && (p.bytes ?? 0) >= SIZE / 2) c.abort();
  });
  expect(await codeOf(pullModel({ dataRoot: root, slug: 'tiny' }, ctx, deps()))).toBe('CANCELLED');
}

/**
 * A pull cancelled once half the file is in, its sha256 thread held at `hashAt` bytes (the hashPauseAt seam):
 * the server pauses at half and the cancel waits a second, ample for the thread to reach `hashAt`.
 */
async function cancelWithHashAt(hashAt: number): Promise<RecordJson> {
  hf.faults.stallAfter = { bytes: SIZE / 2, times: 1 };
  const ctx = recordingContext();
  const pull = pullModel(
    { dataRoot: root, slug: 'tiny' },
    ctx,
    deps({ stallMs: 60_000, hashPauseAt: hashAt }),
  );
  const half = () => ctx.progressEvents.some((p) => p.kind === 'models' && (p.bytes ?? 0) >= SIZE / 2);
  for (let i = 0; i < 200 && !half(); i++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 1000));
  ctx.controller.abort();
  expect(await codeOf(pull)).toBe('CANCELLED');
  const record = JSON.parse(await readFile(`${dest()}.incomplete.json`, 'utf8')) as RecordJson;
  expect(record.hashed?.bytes).toBe(hashAt);
  return record;
}

type Hashed = { bytes: number; state: string };
type RecordJson = Record<string, unknown> & {
  bytes: number;
  durableBytes: number;
  hashed?: Hashed;
  durableHashed?: Hashed;
};

/** The sha256 a recorded hash-wasm state stands for. */
const digestOfState = async (h: Hashed) =>
  (await createSHA256()).load(Buffer.from(h.state, 'base64')).digest('hex');

const reReadLine = (reread: number, hashed: number, kept: number) =>
  `Re-reading ${reread} bytes from disk to carry the sha256 (its saved state covers ${hashed} of the ${kept} kept bytes).`;

/** cancelWithHashAt, then the record changed by `change`; the server's log starts afresh for the resume. */
async function editRecordAfter(hashAt: number, change: (r: RecordJson) => void): Promise<RecordJson> {
  await cancelWithHashAt(hashAt);
  const record = await editRecord(change);
  hf.log.length = 0;
  return record;
}

/** The partial download's record, changed by `change` and written back (what a crash or a reboot leaves). */
async function editRecord(change: (r: RecordJson) => void): Promise<RecordJson> {
  const path = `${dest()}.incomplete.json`;
  const record = JSON.parse(await readFile(path, 'utf8')) as RecordJson;
  change(record);
  await writeFile(path, JSON.stringify(record));
  return record;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof KintsugiError ? err.code : `not a KintsugiError: ${String(err)}`;
  }
  return 'resolved';
}

describe('models pull (Hugging Face) against a local server', () => {
  it("on a metered network the pull job downloads nothing without the person's yes, and pulls with it", async () => {
    await manifest({ size: SIZE, sha256: shaA });
    const runners = modelRunnersWith(failingOllamaFake, deps().download);
    // The runner reads the endpoint from its environment, as the utility host's job does.
    const saved = process.env['HF_ENDPOINT'];
    process.env['HF_ENDPOINT'] = hf.base;
    const params = (allowMetered: boolean) => ({
      dataRoot: root,
      slug: 'tiny',
      allowMetered,
      meteredSetting: 'yes' as const,
    });
    await expect(runners['models-pull'](params(false), recordingContext(), {})).rejects.toMatchObject({
      code: 'NETWORK_METERED',
      detail: expect.stringContaining('Pulling tiny downloads'),
    });
    expect(hf.log).toEqual([]);
    expect(await exists(`${dest()}.incomplete`)).toBe(false);
    const r = await runners['models-pull'](params(true), recordingContext(), {}).finally(() => {
      if (saved === undefined) delete process.env['HF_ENDPOINT'];
      else process.env['HF_ENDPOINT'] = saved;
    });
    expect(r).toMatchObject({ bytes: SIZE, sha256: shaA });
  });

  it('downloads, checks sha256 and the header, renames into place; the list reads the header', async () => {
    await manifest({ size: SIZE, sha256: shaA });
    const r = await pullModel({ dataRoot: root, slug: 'tiny' }, recordingContext(), deps());
    expect(r).toMatchObject({ bytes: SIZE, sha256: shaA, fetched: SIZE, resumedFrom: 0 });
    expect(await sha(dest())).toBe(shaA);
    expect(await exists(`${dest()}.incomplete`)).toBe(false);
    expect(await exists(`${dest()}.incomplete.json`)).toBe(false);
    const row = (await listModels(root, failingOllamaFake())).models.find((m) => m.slug === 'tiny');
    expect(row).toMatchObject({
      from: 'user-only',
      status: 'installed',
      sizeOnDisk: SIZE,
      gguf: {
        architecture: 'llama',
        quantization: 'Q4_K_M',
        contextLength: 8192,
        parameterCount: 4096 * 32000 + 4096 * 4096,
      },
    });
    // The token went to the endpoint (same origin here, the CDN path too); never into the state or the result.
    expect(hf.log[0]?.authorization).toBe('Bearer hf_secret_token');
    expect(JSON.stringify(r)).not.toContain('hf_secret');
  });

  it('a transfer cut mid-way is resumed with Range + If-Range in the same pull', async () => {
    await manifest({ size: SIZE, sha256: shaA });
    hf.faults.cutAfter = { bytes: 10 * MiB, times: 1 };
    const r = await pullModel({ dataRoot: root, slug: 'tiny' }, recordingContext(), deps());
    expect(await sha(dest())).toBe(shaA);
    const cdn = hf.log.filter((x) => x.url.startsWith('/cdn/'));
    expect(cdn).toHaveLength(2);
    expect(cdn[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(cdn[1]!.ifRange).toBe(`"${shaA}"`);
    expect(cdn[1]!.status).toBe(206);
    // Nothing fetched twice: what arrived before the cut is written before the resume asks for the rest.
    expect(hf.bodyBytes()).toBe(SIZE);
    expect(r.bytes).toBe(SIZE);
  });

  it('a pull cancelled at 50 % keeps its partial (listed as partial); the next pull fetches only the rest', async () => {
    await manifest({ size: SIZE, sha256: shaA });
    await cancelAtHalf();
    expect(await exists(dest())).toBe(false);
    const partial = (await stat(`${dest()}.incomplete`)).size;
    expect(partial).toBeGreaterThanOrEqual(SIZE / 2);
    const row = (await listModels(root, failingOllamaFake())).models.find((m) => m.slug === 'tiny');
    expect(row).toMatchObject({ status: 'partial', sizeOnDisk: partial });
    expect(row?.percent).toBeCloseTo((partial / SIZE) * 100, 0);

    hf.log.length = 0;
    const r = await pullModel({ dataRoot: root, slug: 'tiny' }, recordingContext(), deps());
    expect(r.resumedFrom).toBe(partial);
    expect(r.fetched).toBe(SIZE - partial);
    expect(hf.bodyBytes()).toBe(SIZE - partial);
    expect(await sha(dest())).toBe(shaA);
  });

  it("a cancelled pull's record carries a sha256 state within its bytes; the resume re-reads only the gap", async () => {
    await manifest({ size: SIZE, sha256: shaA });
    const record = await cancelWithHashAt(4 * MiB);
    // A cancel syncs everything: both states are the one at 4 MiB, within both counts.
    expect(record.durableBytes).toBe(record.bytes);
    expect(record.durableHashed).toEqual(record.hashed);
    expect(record.hashed!.bytes).toBeLessThanOrEqual(record.bytes);
    // The state is the sha256 of exactly the file's first 4 MiB.
    const prefix = (await readFile(`${dest()}.incomplete`)).subarray(0, 4 * MiB);
    expect(await digestOfState(record.hashed!)).toBe(createHash('sha256').update(prefix).digest('hex'));

    hf.log.length = 0;
    const second = recordingContext();
    const r = await pullModel({ dataRoot: root, slug: 'tiny' }, second, deps());
    expect(second.logs).toContain(reReadLine(record.bytes - 4 * MiB, 4 * MiB, record.bytes));
    expect(r).toMatchObject({ resumedFrom: record.bytes, reread: record.bytes - 4 * MiB, sha256: shaA });
    expect(hf.bodyBytes()).toBe(SIZE - record.bytes);
    expect(await sha(dest())).toBe(shaA);
  });

  it('a byte changed on disk in the gap the resume re-reads is caught: nothing in place', async () => {
    await manifest({ size: SIZE, sha256: shaA });
    const record = await cancelWithHashAt(4 * MiB);
    // One byte past the state flipped on disk (bit rot, another writer): the digest covers what is on disk there.
    const fh = await open(`${dest()}.incomplete`, 'r+');
    const one = Buffer.alloc(1);
    await fh.read(one, 0, 1, 4 * MiB + 1000);
    await fh.write(Buffer.from([one[0]! ^ 0xff]), 0, 1, 4 * MiB + 1000);
    await fh.close();

    hf.log.length = 0;
    const second = recordingContext();
    expect(await codeOf(pullModel({ dataRoot: root, slug: 'tiny' }, second, deps()))).toBe(
      'MODEL_CHECKSUM_MISMATCH',
    );
    expect(second.logs).toContain(reReadLine(record.bytes - 4 * MiB, 4 * MiB, record.bytes));
    expect(hf.bodyBytes()).toBe(SIZE - record.bytes);
    expect(await exists(dest())).toBe(false);
  });

  it('while streaming, the record names the bytes written and, behind them, the bytes fsynced in the background', async () => {
    await manifest({ size: SIZE, sha256: shaA });
    hf.faults.stallAfter = { bytes: 20 * MiB, times: 1 };
    const pull = pullModel(
      { dataRoot: root, slug: 'tiny' },
      recordingContext(),
      deps({ stallMs: 60_000, checkpointBytes: 2 * MiB, durableEveryBytes: 6 * MiB }),
    );
    // The server holds the connection after 20 MiB: the record there says where the bytes are, before any stop.
    let record: { bytes: number; durableBytes: number; bootId?: string } | undefined;
    for (let i = 0; i < 200 && !(record && record.bytes >= 18 * MiB && record.durableBytes > 0); i++) {
      await new Promise((r) => setTimeout(r, 50));
      // The record appears once the pull has started (its sha256 thread loaded, the first request made).
      const text = await readFile(`${dest()}.incomplete.json`, 'utf8').catch(() => undefined);
      if (text) record = JSON.parse(text) as typeof record;
    }
    hf.dropOpen();
    expect(await pull).toMatchObject({ bytes: SIZE, sha256: shaA });
    expect(record!.bytes).toBeGreaterThanOrEqual(18 * MiB);
    expect(record!.durableBytes).toBeGreaterThanOrEqual(6 * MiB);
    expect(record!.durableBytes).toBeLessThanOrEqual(record!.bytes);
    expect(record!.bootId).toBe((await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim());
  });

  it('a paused server: what arrived is on the file and in the progress within a second or so, not at the stall', async () => {
    await manifest({ size: SIZE, sha256: shaA });
    // Not on a batch boundary (2 MiB): the last bytes before the pause sit in a batch that is not full.
    const held = 3 * MiB + 12345;
    hf.faults.stallAfter = { bytes: held, times: 1 };
    const ctx = recordingContext();
    const pull = pullModel({ dataRoot: root, slug: 'tiny' }, ctx, deps({ stallMs: 60_000 }));
    const seen = () => ctx.progressEvents.some((p) => p.kind === 'models' && p.bytes === held);
    for (let i = 0; i < 100 && !seen(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen()).toBe(true);
    expect((await stat(`${dest()}.incomplete`)).size).toBe(held);
    hf.dropOpen();
    expect(await pull).toMatchObject({ bytes: SIZE, sha256: shaA });
    expect(hf.bodyBytes()).toBe(SIZE);
  });

  it.each([
    ['in the same boot, every written byte is trusted, with the state within them', 'same', 4, 'bytes', 3],
    [
      'after a reboot, only the fsynced bytes are (the rest is fetched again, and said), with the state within them',
      'other',
      4,
      4,
      3,
    ],
    [
      'after a reboot, a state past the fsynced bytes is not used: they are re-read from byte 0',
      'other',
      2,
      2,
      0,
    ],
  ] as const)('resume: %s', async (_what, boot, durableMiB, resumeAt, hashedMiB) => {
    await manifest({ size: SIZE, sha256: shaA });
    await cancelWithHashAt(3 * MiB);
    // A cancel syncs everything; a killed process leaves fewer synced bytes than written ones, as here.
    const record = await editRecord((r) => {
      r.durableBytes = durableMiB * MiB;
      if (boot === 'other') r['bootId'] = '00000000-0000-4000-8000-000000000000';
      // Only the state that goes with the trusted count is left: taking the other one would re-read from 0.
      delete r[boot === 'other' ? 'hashed' : 'durableHashed'];
    });

    hf.log.length = 0;
    const second = recordingContext();
    const r = await pullModel({ dataRoot: root, slug: 'tiny' }, second, deps());
    const start = resumeAt === 'bytes' ? record.bytes : resumeAt * MiB;
    expect(r.resumedFrom).toBe(start);
    expect(r.reread).toBe(start - hashedMiB * MiB);
    expect(second.logs).toContain(reReadLine(start - hashedMiB * MiB, hashedMiB * MiB, start));
    expect(hf.bodyBytes()).toBe(SIZE - start);
    expect(second.logs.some((l) => l.startsWith('The machine restarted since the partial download'))).toBe(
      boot === 'other',
    );
    expect(
      second.logs.includes(
        `The record's sha256 state covers ${3 * MiB} bytes, more than the ${2 * MiB} it may trust: it is not used.`,
      ),
    ).toBe(hashedMiB === 0);
    expect(r.sha256).toBe(shaA);
    expect(await sha(dest())).toBe(shaA);
  });

  it.each([
    [
      'not a state of this hash',
      (h: Hashed) => {
        const b = Buffer.from(h.state, 'base64');
        b[0]! ^= 0xff;
        h.state = b.toString('base64');
      },
      /state does not load \(This state was written by an incompatible hash implementation\)/,
    ],
    [
      'a byte count other than its own',
      (h: Hashed) => {
        h.bytes -= 1;
      },
      new RegExp(`state says ${4 * MiB} bytes, not the ${4 * MiB - 1} recorded`),
    ],
  ])(
    'a recorded sha256 state that is %s is not used: the kept bytes are re-read, none fetched again',
    async (_w, spoil, said) => {
      await manifest({ size: SIZE, sha256: shaA });
      const record = await editRecordAfter(4 * MiB, (r) => spoil(r.hashed!));
      const second = recordingContext();
      const r = await pullModel({ dataRoot: root, slug: 'tiny' }, second, deps());
      expect(second.logs.join('\n')).toMatch(said);
      expect(r).toMatchObject({ resumedFrom: record.bytes, reread: record.bytes, sha256: shaA });
      expect(hf.bodyBytes()).toBe(SIZE - record.bytes);
      expect(await sha(dest())).toBe(shaA);
    },
  );

  it('a recorded state that loads but is of other bytes: the checksum fails, nothing in place, the next pull starts over', async () => {
    await manifest({ size: SIZE, sha256: shaA });
    const other = await createSHA256();
    other.init();
    other.update(Buffer.alloc(4 * MiB));
    const state = Buffer.from(other.save()).toString('base64');
    await editRecordAfter(4 * MiB, (r) => {
      r.hashed = { bytes: 4 * MiB, state };
    });
    expect(await codeOf(pullModel({ dataRoot: root, slug: 'tiny' }, recordingContext(), deps()))).toBe(
      'MODEL_CHECKSUM_MISMATCH',
    );
    expect(await exists(dest())).toBe(false);
    hf.log.length = 0;
    const again = await pullModel({ dataRoot: root, slug: 'tiny' }, recordingContext(), deps());
    expect(again).toMatchObject({ resumedFrom: 0, sha256: shaA });
    expect(hf.bodyBytes()).toBe(SIZE);
  });

  it.each([
    [
      'a record of the earlier format (v 1, a hash-wasm state)',
      { v: 1 },
      /record is of another format \(v 1/,
    ],
    [
      'more bytes synced than written',
      { durableBytes: 'bytes+1' },
      /record invalid: more bytes synced than written/,
    ],
    ['a record that claims more bytes than the file has', { bytes: 'size+1' }, /fewer than its record's/],
  ])(
    'a bad record (%s) is refused: the pull starts over, says so, and is right',
    async (_what, change, said) => {
      await manifest({ size: SIZE, sha256: shaA });
      await cancelAtHalf();
      const size = (await stat(`${dest()}.incomplete`)).size;
      await editRecord((r) => {
        for (const [k, v] of Object.entries(change))
          r[k] = v === 'bytes+1' ? r.bytes + 1 : v === 'size+1' ? size + 1 : v;
        if ('bytes' in change) r['durableBytes'] = r.bytes;
      });

      hf.log.length = 0;
      const second = recordingContext();
      const r = await pullModel({ dataRoot: root, slug: 'tiny' }, second, deps());
      expect(second.logs.join('\n')).toMatch(said);
      expect(r.resumedFrom).toBe(0);
      expect(hf.bodyBytes()).toBe(SIZE);
      expect(await sha(dest())).toBe(shaA);
    },
  );

  it('the file changed on the server between attempts: starts over, says so, gets the new file', async () => {
    await manifest({ size: SIZE }); // no sha256 in the manifest: the X-Linked-Etag one is used
    await cancelAtHalf();
    hf.files.set('tiny.gguf', { path: join(fixtures, 'b.gguf'), sha256: shaB });
    const second = recordingContext();
    const r = await pullModel({ dataRoot: root, slug: 'tiny' }, second, deps());
    expect(second.logs.join('\n')).toMatch(/Starting over: the file changed on the server/);
    expect(r.sha256).toBe(shaB);
    expect(await sha(dest())).toBe(shaB);
  });

  it('a server that answers 200 to a Range request: starts over and says so', async () => {
    await manifest({ size: SIZE, sha256: shaA });
    hf.faults.cutAfter = { bytes: 8 * MiB, times: 1 };
    hf.faults.ignoreRange = true;
    const ctx = recordingContext();
    await pullModel({ dataRoot: root, slug: 'tiny' }, ctx, deps());
    expect(ctx.logs.join('\n')).toMatch(/Starting over: .*whole file \(200\)/);
    expect(await sha(dest())).toBe(shaA);
  });

  it('a stalled server: the watchdog aborts and the pull resumes', async () => {
    await manifest({ size: SIZE, sha256: shaA });
    hf.faults.stallAfter = { bytes: 6 * MiB, times: 1 };
    const ctx = recordingContext();
    await pullModel({ dataRoot: root, slug: 'tiny' }, ctx, deps({ stallMs: 500 }));
    expect(ctx.logs.join('\n')).toMatch(/stalled/);
    expect(hf.log.filter((x) => x.url.startsWith('/cdn/'))[1]?.status).toBe(206);
    expect(await sha(dest())).toBe(shaA);
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><body>Sign in</body></html>', 'text/html'],
    [
      'a Git LFS pointer',
      'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n',
      'text/plain',
    ],
    ['a JSON error', '{"error":"Repository not found"}', 'application/json'],
  ])('%s served as .gguf is refused; nothing in place', async (_what, text, type) => {
    await manifest({});
    hf.faults.body = { text, type };
    hf.faults.noLinkedEtag = true;
    expect(await codeOf(pullModel({ dataRoot: root, slug: 'tiny' }, recordingContext(), deps()))).toBe(
      'MODEL_NOT_GGUF',
    );
    expect(await exists(dest())).toBe(false);
  });

  it('a revision the server does not have: MODEL_REVISION_NOT_FOUND', async () => {
    await manifest({ revision: 'no-such-rev' });
    expect(await codeOf(pullModel({ dataRoot: root, slug: 'tiny' }, recordingContext(), deps()))).toBe(
      'MODEL_REVISION_NOT_FOUND',
    );
  });

  it('a checksum mismatch stays .incomplete, never in place', async () => {
    await manifest({ size: SIZE, sha256: 'f'.repeat(64) });
    expect(await codeOf(pullModel({ dataRoot: root, slug: 'tiny' }, recordingContext(), deps()))).toBe(
      'MODEL_CHECKSUM_MISMATCH',
    );
    expect(await exists(dest())).toBe(false);
    expect((await stat(`${dest()}.incomplete`)).size).toBe(SIZE);
  });

  it('a second pull of the same model while one runs is refused (lock), never a second writer', async () => {
    await manifest({ size: SIZE, sha256: shaA });
    hf.faults.stallAfter = { bytes: 2 * MiB, times: 1 };
    const first = pullModel({ dataRoot: root, slug: 'tiny' }, recordingContext(), deps({ stallMs: 1500 }));
    await new Promise((r) => setTimeout(r, 300)); // let the first take the lock (ordering, not timing, is tested)
    expect(await codeOf(pullModel({ dataRoot: root, slug: 'tiny' }, recordingContext(), deps()))).toBe(
      'MODEL_BUSY',
    );
    await first;
    expect(await sha(dest())).toBe(shaA);
  });

  it('a stale lock (its pid gone) is taken over', async () => {
    await manifest({ size: SIZE, sha256: shaA });
    await writeFile(`${dest()}.lock`, '999999999\n');
    await pullModel({ dataRoot: root, slug: 'tiny' }, recordingContext(), deps());
    expect(await sha(dest())).toBe(shaA);
    expect(await exists(`${dest()}.lock`)).toBe(false);
  });

  it('an unknown slug: MODEL_NOT_FOUND before any request', async () => {
    await manifest({});
    expect(await codeOf(pullModel({ dataRoot: root, slug: 'nope' }, recordingContext(), deps()))).toBe(
      'MODEL_NOT_FOUND',
    );
    expect(hf.log).toHaveLength(0);
  });
});
