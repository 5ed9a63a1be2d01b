import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { JobJournal } from '../../src/main/core/jobs/journal';
import type { JobRecord } from '../../src/shared/jobs/record';
import { JobRunner } from '../../src/main/core/jobs/job-runner';
import { redactText, redactValue } from '../../src/main/core/jobs/redact';
import { runTool } from '../../src/main/core/util/run-tool';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('job journal', () => {
  it('keeps a record and a log per job: params without secrets, ctx.log, tool stderr, the error with its causes and stack', async () => {
    const journal = new JobJournal(dir);
    const runner = new JobRunner({ journal });
    const id = runner.start(
      {
        type: 'image-check',
        params: { source: 'https://user:hunter2@example.org/k.img.zst?token=s3cret&v=1' },
      },
      {
        run: async (_req, ctx) => {
          ctx.progress({ kind: 'image', phase: 'download', bytes: 5, total: 10 });
          ctx.log('fetching https://example.org/k.img.zst?api_key=abc123');
          // A real tool failing: its stderr must land in this job's log without the job passing it along.
          const cause = await runTool('ls', ['/no/such/dir/kintsugi']).catch((e: unknown) => e);
          throw new KintsugiError('IMAGE_DOWNLOAD_FAILED', 'the server went away', { cause });
        },
      },
    );
    await runner.wait(id);
    const record = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8'));
    expect(record).toMatchObject({
      id,
      type: 'image-check',
      state: 'failed',
      last: { kind: 'image', phase: 'download', bytes: 5 },
      error: { code: 'IMAGE_DOWNLOAD_FAILED', causes: [expect.stringMatching(/ls/)] },
    });
    expect(record.stack).toMatch(/KintsugiError/);
    expect(record.params.source).toBe('https://***@example.org/k.img.zst?token=***&v=1');
    const log = await readFile(join(dir, `${id}.log`), 'utf8');
    expect(log).toMatch(/Started Check an image/);
    expect(log).toMatch(/ls: .*No such file or directory/);
    expect(log).toMatch(/api_key=\*\*\*/);
    expect(log).toMatch(/Failed: IMAGE_DOWNLOAD_FAILED: the server went away\n.*caused by: /);
    for (const secret of ['hunter2', 's3cret', 'abc123']) {
      expect(log).not.toContain(secret);
      expect(JSON.stringify(record)).not.toContain(secret);
    }
  });

  it('after a crash, a record still marked running is listed as interrupted with where it stopped', async () => {
    const journal = new JobJournal(dir);
    await journal.write({
      id: 'job-1',
      type: 'flash',
      title: 'Flash a drive',
      host: 'helper',
      params: {},
      state: 'running',
      startedAt: '2026-11-24T10:00:00.000Z',
      last: { kind: 'flash', phase: 'write', bytes: 40, total: 100 },
    });
    const reopened = new JobJournal(dir);
    const interrupted = await reopened.recoverInterrupted();
    expect(interrupted.map((r) => r.id)).toEqual(['job-1']);
    expect(await reopened.read('job-1')).toMatchObject({ state: 'interrupted', last: { bytes: 40 } });
    expect((await reopened.tail('job-1')).text).toMatch(/marked interrupted/);
    expect(await reopened.recoverInterrupted()).toEqual([]);
  });

  it('at start-up reads only the records marked running, and clears a marker whose job ended', async () => {
    const folder = join(dir, 'marked');
    const journal = new JobJournal(folder);
    expect(await journal.recoverInterrupted()).toEqual([]); // a new folder: stamped, nothing to scan later
    const rec = (id: string, state: JobRecord['state']) => ({
      id,
      type: 'flash' as const,
      title: 'Flash a drive',
      host: 'helper' as const,
      params: {},
      state,
      startedAt: '2026-11-24T10:00:00.000Z',
    });
    await journal.write(rec('runs', 'running'));
    await journal.write(rec('ended', 'running'));
    await journal.write(rec('ended', 'done'));
    const names = await readdir(folder);
    expect(names).toContain('runs.running');
    expect(names).not.toContain('ended.running');
    // A record that says running but was never marked is not read (it is not any job this journal ran)...
    await writeFile(join(folder, 'unmarked.json'), JSON.stringify(rec('unmarked', 'running')));
    // ...and a marker left by a crash after its job's last record is cleared, its job left alone.
    await writeFile(join(folder, 'ended.running'), '');
    const interrupted = await new JobJournal(folder).recoverInterrupted();
    expect(interrupted.map((r) => r.id)).toEqual(['runs']);
    expect(await journal.read('ended')).toMatchObject({ state: 'done' });
    expect(await readdir(folder)).not.toContain('ended.running');
    expect(await readdir(folder)).not.toContain('runs.running');
  });

  it('a folder from before the markers is scanned whole once, then only the markers are read', async () => {
    const folder = join(dir, 'legacy');
    await mkdir(folder, { recursive: true });
    const old = {
      id: 'old',
      type: 'flash',
      title: 't',
      host: 'helper',
      params: {},
      startedAt: '2026-11-24T10:00:00.000Z',
    };
    await writeFile(join(folder, 'old.json'), JSON.stringify({ ...old, state: 'running' }));
    const journal = new JobJournal(folder);
    expect((await journal.recoverInterrupted()).map((r) => r.id)).toEqual(['old']);
    // Stamped now: an unmarked running record is no longer read.
    await writeFile(join(folder, 'later.json'), JSON.stringify({ ...old, id: 'later', state: 'running' }));
    expect(await journal.recoverInterrupted()).toEqual([]);
  });

  it('rotates a long log and keeps only the newest finished jobs', async () => {
    const journal = new JobJournal(dir, { maxLogBytes: 2000, keep: 2 });
    const runner = new JobRunner({ journal });
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) {
      const id = runner.start(
        { type: 'restore', params: { backupDir: '/b', target: '/t' } },
        {
          run: async (_r, ctx) => {
            for (let i = 0; i < 100; i++) ctx.log(`line ${i} ${'x'.repeat(40)}`);
            return { ok: n };
          },
        },
      );
      await runner.wait(id);
      ids.push(id);
      await new Promise((r) => setTimeout(r, 5)); // distinct start times
    }
    await journal.prune();
    const names = await readdir(dir);
    expect(names.filter((n) => n.endsWith('.json'))).toHaveLength(2);
    const newest = ids.at(-1)!;
    expect(names).toContain(`${newest}.log.1`);
    const tail = await journal.tail(newest, 1500);
    expect(tail.truncated).toBe(true);
    expect(tail.text).toMatch(/Done\n$/);
    expect(Buffer.byteLength(tail.text)).toBeLessThanOrEqual(1500);
    expect((await readFile(join(dir, `${newest}.log`))).length).toBeLessThanOrEqual(2000);
  });

  it('refuses a job id that could name another file', async () => {
    const journal = new JobJournal(dir);
    expect(() => journal.recordPath('../../etc/passwd')).toThrow(/not a job id/);
    expect(await journal.read('../x')).toBeNull();
  });
});

describe('redaction', () => {
  it('masks credentials in URLs, secret query values, auth headers and tokens; leaves the rest', () => {
    expect(redactText('GET https://a:b@h.org/x?sig=1&page=2')).toBe('GET https://***@h.org/x?sig=***&page=2');
    expect(redactText('Authorization: Bearer abc.def')).toBe('Authorization: Bearer ***');
    expect(redactText('token hf_abcdefghijklmnop used')).toBe('token hf_*** used');
    expect(redactText('/dev/loop3 written, 1.2 GiB')).toBe('/dev/loop3 written, 1.2 GiB');
    expect(redactValue({ pubkey: 'RWQ...', password: 'x', nested: { url: 'http://u:p@h/' } })).toEqual({
      pubkey: 'RWQ...',
      password: '***',
      nested: { url: 'http://***@h/' },
    });
  });
});
