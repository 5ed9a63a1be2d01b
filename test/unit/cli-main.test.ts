import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import type { JobRequest } from '../../src/shared/jobs';
import type { JobContext } from '../../src/main/core/jobs/context';
import { parseCli } from '../../src/main/cli/args';
import { flashText } from '../../src/main/cli/commands';
import { confirmDevice } from '../../src/main/cli/confirm';
import { errorBlock, formatBytes, progressLine } from '../../src/main/cli/format';
import type { CliIo } from '../../src/main/cli/io';
import { main } from '../../src/main/cli/main';
import { newJobId } from '../../src/main/core/jobs/job-id';

// main(argv, io) in-process: parsing, exit codes, JSON vs human output, confirmation and Ctrl-C. Jobs are answered
// by a scripted executor here; test/integration/cli-*.test.ts runs the built CLI against real tools and loop devices.

// Jobs go through the CLI's journaled runner: keep its state folder out of the real one.
const stateHome = mkdtempSync(join(tmpdir(), 'kintsugi-cli-state-'));
afterAll(() => rmSync(stateHome, { recursive: true, force: true }));

interface FakeIo extends CliIo {
  out: string;
  err: string;
  calls: JobRequest[];
  interrupt: AbortController;
}

function fakeIo(
  opts: {
    uid?: number;
    tty?: boolean;
    answer?: string | null;
    run?: (req: JobRequest, ctx: JobContext) => Promise<unknown>;
  } = {},
): FakeIo {
  const interrupt = new AbortController();
  const io: FakeIo = {
    out: '',
    err: '',
    calls: [],
    interrupt,
    stdout: { write: (s: string) => (io.out += s) },
    stderr: { write: (s: string) => (io.err += s), isTTY: opts.tty },
    stdinIsTTY: Boolean(opts.tty),
    readLine: async (prompt) => {
      io.err += prompt;
      return opts.answer ?? null;
    },
    signal: interrupt.signal,
    getuid: () => opts.uid ?? 0,
    cwd: '/work/here',
    env: { XDG_STATE_HOME: stateHome },
    executor: {
      run: async (req, ctx) => {
        io.calls.push(req);
        if (opts.run) return opts.run(req, ctx);
        throw new Error('no executor scripted');
      },
    },
  };
  return io;
}

const report = {
  path: '/img/k-v3.img.zst',
  source: '/img/k-v3.img.zst',
  compression: 'zstd',
  fileSize: 2048,
  imageSize: 8192,
  version: '3',
};

describe('kintsugi main()', () => {
  it('prints help and version', async () => {
    const a = fakeIo();
    expect(await main(['--help'], a)).toBe(0);
    expect(a.out).toContain('Usage: kintsugi <command>');
    const b = fakeIo();
    expect(await main(['--version', '--json'], b)).toBe(0);
    expect(JSON.parse(b.out)).toEqual({ result: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });
  });

  it.each([
    [['frobnicate'], 'unknown command: frobnicate'],
    [[], 'no command given'],
    [['flash', '/a.img'], 'flash takes IMAGE DEVICE'],
    [['drives', '--yes'], '--yes does not apply to drives'],
    [['image', 'verify', '/a.img', '--minisig', '/a.minisig'], '--minisig needs --pubkey'],
    [['reflash', '--image', '/a.img', '--drive', '/dev/sdz'], 'reflash needs --backup-to'],
    [['drives', '--include-lop'], "Unknown option '--include-lop'"],
    [['image', 'check', '/a'], 'unknown image subcommand: check'],
    // (A key without --minisig is no longer a usage error: it requires the .minisig beside the image, and the
    // check refuses an unsigned one with IMAGE_SIGNATURE_MISSING; see cli-image-safety.test.ts.)
  ])('bad args %j -> INVALID_ARGUMENT, exit 2, usage', async (argv, detail) => {
    const io = fakeIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.err).toMatch(/^error INVALID_ARGUMENT: /);
    expect(io.err).toContain(detail);
    expect(io.err).toContain('Usage: kintsugi');
    const j = fakeIo();
    expect(await main([...argv, '--json'], j)).toBe(2);
    expect(JSON.parse(j.out)).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', detail: expect.stringContaining(detail) },
    });
    expect(j.calls).toEqual([]);
  });

  it('makes relative paths absolute and keeps URLs and key lines', () => {
    const p = parseCli(
      [
        'image',
        'verify',
        'k.img.zst',
        '--sha256',
        'https://x.test/k.sha256',
        '--minisig',
        'k.minisig',
        '--pubkey',
        'RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3',
      ],
      '/w',
    );
    expect(p.command).toMatchObject({
      image: '/w/k.img.zst',
      sha256: 'https://x.test/k.sha256',
      minisig: '/w/k.minisig',
      pubkey: expect.stringMatching(/^RWQ/),
    });
    // The whole .pub text is a key, not a path; flash takes a URL like image verify and reflash do.
    const pubText =
      'untrusted comment: minisign public key 53A7\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n';
    expect(
      parseCli(['image', 'verify', 'k.img', '--minisig', 'k.minisig', '--pubkey', pubText], '/w').command,
    ).toMatchObject({ pubkey: pubText.trim() });
    expect(parseCli(['flash', 'https://x.test/k.img.zst', '/dev/sdz'], '/w').command).toMatchObject({
      image: 'https://x.test/k.img.zst',
      forceRaw: false,
    });
    // --force-raw: write a file that does not look like a disk image anyway (flash, reflash, image verify).
    expect(parseCli(['flash', 'k.bin', '/dev/sdz', '--force-raw'], '/w').command).toMatchObject({
      forceRaw: true,
    });
    expect(
      parseCli(['reflash', '--image', 'k.bin', '--drive', '/dev/sdz', '--skip-backup', '--force-raw'], '/w')
        .command,
    ).toMatchObject({ forceRaw: true });
    expect(parseCli(['image', 'verify', 'k.bin', '--force-raw'], '/w').command).toMatchObject({
      forceRaw: true,
      allowUnsigned: false,
    });
    // --allow-unsigned: a key is set but this image has no .minisig, on purpose.
    expect(
      parseCli(['flash', 'k.img.zst', '/dev/sdz', '--pubkey', 'k.pub', '--allow-unsigned'], '/w').command,
    ).toMatchObject({ allowUnsigned: true, pubkey: '/w/k.pub' });
    expect(
      parseCli(
        ['reflash', '--image', 'k.img.zst', '--drive', '/dev/sdz', '--skip-backup', '--allow-unsigned'],
        '/w',
      ).command,
    ).toMatchObject({ allowUnsigned: true });
    expect(parseCli(['backup', 'dest'], '/w').command).toEqual({
      cmd: 'backup',
      source: '/data',
      dest: '/w/dest',
      includeLoop: false,
      fullVerify: false,
    });
    expect(parseCli(['backup', 'dest', '--data-root', '/srv/d'], '/w').command).toMatchObject({
      source: '/srv/d',
    });
    expect(parseCli(['backup', 's', 'd', '--full-verify'], '/w').command).toMatchObject({
      cmd: 'backup',
      source: '/w/s',
      fullVerify: true,
    });
    // `backup list|check DIR` go to the backup domain; any other first word is still a SOURCE.
    expect(parseCli(['backup', 'list', 'd'], '/w').command).toMatchObject({
      cmd: 'domain',
      input: { dir: '/w/d' },
    });
    expect(parseCli(['backup', 'check', 'd'], '/w').command).toMatchObject({ cmd: 'domain' });
    expect(parseCli(['backup', 'lists', 'd'], '/w').command).toMatchObject({
      cmd: 'backup',
      source: '/w/lists',
    });
  });

  it('--no-bmap applies to flash, verify and reflash', () => {
    expect(parseCli(['flash', '/a.img', '/dev/sdz', '--no-bmap'], '/w').command).toMatchObject({
      noBmap: true,
    });
    expect(parseCli(['flash', '/a.img', '/dev/sdz'], '/w').command).toMatchObject({ noBmap: false });
    expect(parseCli(['verify', '/a.img', '/dev/sdz', '--no-bmap'], '/w').command).toMatchObject({
      noBmap: true,
    });
    expect(
      parseCli(['reflash', '--image', '/a', '--drive', '/dev/sdz', '--skip-backup', '--no-bmap'], '/w')
        .command,
    ).toMatchObject({ noBmap: true });
    expect(() => parseCli(['drives', '--no-bmap'], '/w')).toThrow(
      expect.objectContaining({ detail: '--no-bmap does not apply to drives' }),
    );
  });

  it('device commands without root say to use sudo, before touching anything', async () => {
    for (const argv of [
      ['flash', '/a.img', '/dev/sdz', '--yes'],
      ['verify', '/a.img', '/dev/sdz'],
      ['reflash', '--image', '/a', '--drive', '/dev/sdz', '--backup-to', '/b'],
    ]) {
      const io = fakeIo({ uid: 1000 });
      expect(await main(argv, io)).toBe(1);
      expect(io.err).toMatch(/^error NEEDS_ROOT: .*\n {2}.*sudo/);
      expect(io.calls).toEqual([]);
    }
  });

  it('refuses a path that is not a whole disk before asking or checking the image', async () => {
    const io = fakeIo({ tty: true, answer: 'null' });
    expect(await main(['flash', '/a.img.zst', '/dev/null', '--json'], io)).toBe(1);
    expect(JSON.parse(io.out).error.code).toMatch(/^DRIVE_(NOT_WHOLE_DISK|NOT_FOUND)$/);
    expect(io.err).not.toContain('Type the device name');
    expect(io.calls).toEqual([]);
  });

  const hasRawControl = (text: string) => text.includes('\u001b') || text.includes('\u0007');

  it('returns once the journal is pruned after its job: the process exits 50 ms after, whatever still runs', async () => {
    // A journal over its 200 kept records, as anyone's is after 200 jobs.
    const stateDir = mkdtempSync(join(stateHome, 'full-'));
    const jobs = join(stateDir, 'jobs');
    mkdirSync(jobs);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    for (let n = 0; n < 205; n++) {
      const id = newJobId(t0 + n * 60_000);
      const startedAt = new Date(t0 + n * 60_000).toISOString();
      const rec = {
        id,
        type: 'image-check',
        title: 'Check an image',
        host: 'main',
        params: {},
        state: 'done',
        startedAt,
      };
      writeFileSync(join(jobs, `${id}.json`), JSON.stringify(rec));
    }
    const io = fakeIo({ run: async () => report });
    expect(await main(['--state-dir', stateDir, 'image', 'verify', '/img/k.img.zst'], io)).toBe(0);
    expect(readdirSync(jobs).filter((n) => n.endsWith('.json'))).toHaveLength(200);
  });

  it('shows escape sequences from file names and tool messages escaped, never raw, on the terminal', async () => {
    const evil = '/img/k\x1b]0;pwned\x07\x1b[2J.img.zst';
    const h = fakeIo({
      run: async (_req, ctx) => {
        ctx.log('zstd: \x1b[31mred\x1b[0m');
        return { ...report, path: evil, source: evil };
      },
    });
    expect(await main(['image', 'verify', '/img/k.img.zst'], h)).toBe(0);
    expect(hasRawControl(h.out + h.err)).toBe(false);
    expect(h.out).toContain('/img/k\\x1b]0;pwned\\x07\\x1b[2J.img.zst');
    expect(h.err).toContain('zstd: \\x1b[31mred');
    const e = fakeIo({
      run: async () => Promise.reject(new KintsugiError('IMAGE_CORRUPT', `${evil} is truncated`)),
    });
    expect(await main(['image', 'verify', '/img/k.img.zst'], e)).toBe(1);
    expect(hasRawControl(e.err)).toBe(false);
    expect(e.err).toContain('\\x1b[2J.img.zst is truncated');
    // JSON keeps the real bytes (escaped by JSON itself).
    const j = fakeIo({ run: async () => ({ ...report, path: evil }) });
    expect(await main(['image', 'verify', '/img/k.img.zst', '--json'], j)).toBe(0);
    expect(JSON.parse(j.out).result.path).toBe(evil);
  });

  it('image verify: human text, JSON result, and NDJSON events with --progress', async () => {
    const run = async (_req: JobRequest, ctx: JobContext) => {
      ctx.progress({ kind: 'image', phase: 'checksum', bytes: 1024, total: 2048, speed: 512, eta: 2 });
      return {
        ...report,
        checksum: { target: 'compressed', fileName: 'k-v3.img.zst', expected: 'c'.repeat(64), ok: true },
      };
    };
    const h = fakeIo({ run, tty: true });
    expect(await main(['image', 'verify', '/img/k-v3.img.zst', '--sha256', '/img/k.sha256'], h)).toBe(0);
    expect(h.out).toContain('checksum OK (compressed file k-v3.img.zst)');
    expect(h.err).toContain('\r\x1b[Kimage checksum');
    expect(h.err).toContain('50.0%');
    expect(h.calls[0]).toEqual({
      type: 'image-check',
      params: { source: '/img/k-v3.img.zst', sha256File: '/img/k.sha256', fullCheck: false },
    });

    const j = fakeIo({ run });
    expect(await main(['image', 'verify', '/img/k-v3.img.zst', '--json', '--progress'], j)).toBe(0);
    const lines = j.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'started', jobType: 'image-check', title: 'Check an image' });
    expect(lines[1]).toMatchObject({
      type: 'progress',
      jobType: 'image-check',
      progress: { kind: 'image', bytes: 1024 },
    });
    expect(lines.at(-2)).toMatchObject({ type: 'done' });
    expect(lines.at(-1)).toMatchObject({ result: { path: '/img/k-v3.img.zst', version: '3' } });
  });

  it('image verify of a raw image says uncompressed, not "compressed file" and "decompressed"', async () => {
    const raw = { ...report, path: '/img/k-v3.img', source: '/img/k-v3.img', compression: 'none' };
    const io = fakeIo({
      run: async () => ({
        ...raw,
        fileSize: 8192,
        checksum: { target: 'compressed', fileName: 'k-v3.img', expected: 'c'.repeat(64), ok: true },
      }),
    });
    expect(await main(['image', 'verify', '/img/k-v3.img', '--sha256', '/img/k.sha256'], io)).toBe(0);
    expect(io.out).toContain('uncompressed, 8.0 KiB, version 3');
    expect(io.out).toContain('checksum OK (image k-v3.img)');
    expect(io.out).not.toMatch(/none|compressed file|decompressed/);
  });

  it('flash with a .bmap says its hash covers the mapped bytes, and that the published hash matched', () => {
    const published = 'd'.repeat(64);
    const text = flashText(
      {
        ...report,
        compression: 'zstd',
        checksum: { target: 'image', fileName: 'k-v3.img', expected: published, ok: true },
      },
      {
        device: '/dev/sdz',
        bytesWritten: 2048,
        fingerprint: { algorithm: 'xxh3-128-of-xxh64-1m', hex: 'e'.repeat(32) },
        hashes: [],
        verified: true,
        usedBmap: true,
        durationMs: 10,
        verifyDurationMs: 5,
      },
    );
    expect(text).toContain(
      `xxh3-128-of-xxh64-1m of the mapped bytes as written and read back ${'e'.repeat(32)}`,
    );
    expect(text).toContain('the decompressed image matched the published sha256 (k-v3.img) while writing');
    expect(text).toContain('verified by reading it back');
  });

  it('core errors keep their code: error CODE, detail and hint on stderr', async () => {
    const io = fakeIo({
      run: async () =>
        Promise.reject(new KintsugiError('IMAGE_CORRUPT', '/img/k.img.zst: unexpected end of frame')),
    });
    expect(await main(['image', 'verify', '/img/k.img.zst'], io)).toBe(1);
    expect(io.err).toBe(
      'error IMAGE_CORRUPT: The compressed image is truncated or corrupt.\n  /img/k.img.zst: unexpected end of frame\n  Download the image again.\n',
    );
  });

  it('Ctrl-C cancels the running job and exits 130', async () => {
    let sawAbort = false;
    const interrupt = { press: () => {} };
    const io = fakeIo({
      run: (_req, ctx) =>
        new Promise((_res, rej) => {
          ctx.signal.addEventListener('abort', () => {
            sawAbort = true;
            rej(new KintsugiError('CANCELLED'));
          });
          // Ctrl-C while the job runs (not on a timer: a loaded machine could fire it before the job starts).
          setImmediate(interrupt.press);
        }),
    });
    interrupt.press = () => io.interrupt.abort();
    expect(await main(['image', 'verify', '/img/k.img.zst', '--json'], io)).toBe(130);
    expect(sawAbort).toBe(true);
    expect(JSON.parse(io.out)).toMatchObject({ error: { code: 'CANCELLED' } });
  });
});

describe('confirmDevice', () => {
  const base = { device: '/dev/sdz', action: 'write k.img' };
  it('passes with --yes or the typed name; refuses otherwise', async () => {
    await expect(confirmDevice(fakeIo(), { ...base, yes: true })).resolves.toBeUndefined();
    await expect(
      confirmDevice(fakeIo({ tty: true, answer: ' sdz ' }), { ...base, yes: false }),
    ).resolves.toBeUndefined();
    await expect(
      confirmDevice(fakeIo({ tty: true, answer: '/dev/sdz' }), { ...base, yes: false }),
    ).resolves.toBeUndefined();
    await expect(
      confirmDevice(fakeIo({ tty: true, answer: 'sda' }), { ...base, yes: false }),
    ).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      detail: expect.stringContaining('typed "sda", expected "sdz"'),
    });
    await expect(confirmDevice(fakeIo({ tty: false }), { ...base, yes: false })).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      detail: expect.stringContaining('not a terminal'),
    });
    const io = fakeIo({ tty: true, answer: null });
    io.interrupt.abort();
    await expect(confirmDevice(io, { ...base, yes: false })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('format', () => {
  it('formats sizes, progress lines and error blocks', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(
      progressLine({
        kind: 'flash',
        phase: 'write',
        bytes: 1024 ** 3,
        total: 4 * 1024 ** 3,
        speed: 100 * 1024 ** 2,
        eta: 75,
      }),
    ).toMatch(/^flash write +25\.0% {2}1\.0 GiB \/ 4\.0 GiB {2}100 MiB\/s {2}ETA 1:15$/);
    expect(progressLine({ kind: 'backup', phase: 'copy', items: 3, message: 'x' })).toMatch(
      /^backup copy +3 items {2}x$/,
    );
    expect(errorBlock({ code: 'CANCELLED', message: 'Cancelled.' })).toBe('error CANCELLED: Cancelled.\n');
  });
});
