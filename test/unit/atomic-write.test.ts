import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../src/main/core/util/atomic-write';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('writeFileAtomic', () => {
  it('durable (the default) fsyncs the file and its folder; durable: false fsyncs nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kintsugi-atomic-'));
    dirs.push(dir);
    const probe = await open(dir, 'r');
    const FileHandle = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
    await probe.close();
    const sync = vi.spyOn(FileHandle, 'sync');
    await writeFileAtomic(join(dir, 'durable.json'), 'a');
    expect(sync).toHaveBeenCalledTimes(2);
    sync.mockClear();
    await writeFileAtomic(join(dir, 'cache.json'), 'b', { durable: false });
    expect(sync).not.toHaveBeenCalled();
    expect(await readFile(join(dir, 'cache.json'), 'utf8')).toBe('b');
    expect((await readdir(dir)).sort()).toEqual(['cache.json', 'durable.json']);
  });

  it.each([true, false])(
    'durable: %s: saves issued together land in call order, the file holds the last one, whole',
    async (durable) => {
      const dir = await mkdtemp(join(tmpdir(), 'kintsugi-atomic-'));
      dirs.push(dir);
      const path = join(dir, 'state.json');
      const writes = Array.from({ length: 50 }, (_, i) =>
        writeFileAtomic(path, JSON.stringify({ n: i, pad: 'x'.repeat(10_000 + i) }), { durable }),
      );
      await Promise.all(writes);
      expect(JSON.parse(await readFile(path, 'utf8')).n).toBe(49);
      // No temp files left behind.
      expect(await readdir(dir)).toEqual(['state.json']);
    },
  );

  it('replaces the file instead of writing over it: a reader of the old file still sees it whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kintsugi-atomic-'));
    dirs.push(dir);
    const path = join(dir, 'state.json');
    await writeFile(path, 'old state, whole');
    const before = await stat(path);
    // An open descriptor keeps the old inode: written in place (truncate, then write), it would show the new
    // bytes, or nothing at all in between, which is what a crash mid-write would leave on disk.
    const reader = await open(path, 'r');
    try {
      await writeFileAtomic(path, 'new state');
      expect((await reader.readFile()).toString()).toBe('old state, whole');
    } finally {
      await reader.close();
    }
    expect((await stat(path)).ino).not.toBe(before.ino);
    expect(await readFile(path, 'utf8')).toBe('new state');
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('a failed write does not block the next one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kintsugi-atomic-'));
    dirs.push(dir);
    const path = join(dir, 'state.json');
    await writeFileAtomic(path, 'first');
    const failing = writeFileAtomic(join(path, 'child'), 'x'); // below a file: ENOTDIR
    const next = writeFileAtomic(path, 'second');
    await expect(failing).rejects.toThrow();
    await next;
    expect(await readFile(path, 'utf8')).toBe('second');
  });
});
