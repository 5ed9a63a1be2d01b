import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { quietContext } from '../../src/main/core/jobs/context';
import { downloadToCache } from '../../src/main/core/image/source';
import { startLocalServer } from '../helpers/local-server';

// A download that completed must survive a power cut as a whole file with whole validators. A power cut cannot
// be staged here, so the real filesystem calls are recorded (node:fs/promises passes through to the real one)
// and the test checks their order: the .part is fsynced before it is renamed to the final name, the directory
// after; the validator files only ever appear through a rename of a synced temp file, never by writing them
// in place (which a crash can leave empty or half written).

const ops = vi.hoisted(() => [] as string[]);

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  type OpenArgs = Parameters<typeof real.open>;
  const open = async (...args: OpenArgs) => {
    const fh = await real.open(...args);
    const path = String(args[0]);
    ops.push(`open ${path} ${String(args[1] ?? 'r')}`);
    const sync = fh.sync.bind(fh);
    fh.sync = async () => {
      ops.push(`fsync ${path}`);
      return sync();
    };
    return fh;
  };
  const rename = async (from: string, to: string) => {
    ops.push(`rename ${from} -> ${to}`);
    return real.rename(from, to);
  };
  const writeFile = async (...args: Parameters<typeof real.writeFile>) => {
    ops.push(`writeFile ${String(args[0])}`);
    return real.writeFile(...args);
  };
  const appendFile = async (...args: Parameters<typeof real.appendFile>) => {
    ops.push(`appendFile ${String(args[0])}`);
    return real.appendFile(...args);
  };
  const mocked = { ...real, open, rename, writeFile, appendFile };
  return { ...mocked, default: mocked };
});

const body = randomBytes(512 * 1024);
let server: Awaited<ReturnType<typeof startLocalServer>>;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-source-durable-'));
  server = await startLocalServer((_req, res) => {
    res.writeHead(200, { etag: '"v1"', 'content-length': body.length }).end(body);
  });
  base = server.base;
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a completed download is durable', () => {
  it('fsyncs the .part before renaming it, writes validators atomically, fsyncs the directory last', async () => {
    const cacheDir = join(dir, 'cache');
    ops.length = 0;
    const final = await downloadToCache(`${base}/kintsugi-v1.img.zst`, quietContext(), { cacheDir });
    expect((await readFile(final)).equals(body)).toBe(true);
    const name = basename(final);
    expect((await readdir(cacheDir)).sort()).toEqual([name, `${name}.meta.json`]);

    // Paths relative to the cache folder ("." is the folder itself); temp files named TMP(<target>).
    const trace = ops
      .filter((op) => op.includes(cacheDir))
      .map((op) =>
        op
          .replaceAll(`${cacheDir}/`, '')
          .replaceAll(cacheDir, '.')
          .replace(/\.([^ ]+)\.\d+\.[0-9a-f]+\.tmp/g, 'TMP($1)'),
      );
    const part = `${name}.part`;
    const partMeta = `${name}.part.json`;
    const meta = `${name}.meta.json`;

    // The validators: written to a temp file, fsynced, renamed into place; never opened or written in place.
    expect(trace.filter((op) => op.includes(partMeta) || op.includes(meta))).toEqual([
      `open TMP(${partMeta}) w`,
      `fsync TMP(${partMeta})`,
      `rename TMP(${partMeta}) -> ${partMeta}`,
      `rename ${partMeta} -> ${meta}`,
    ]);
    // The image: its bytes are on disk before it takes the final name; the renames are synced last.
    const at = (op: string) => {
      const i = trace.indexOf(op);
      expect(i, `${op} in\n${trace.join('\n')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(at(`fsync ${part}`)).toBeLessThan(at(`rename ${part} -> ${name}`));
    expect(at(`rename ${part} -> ${name}`)).toBeLessThan(at(`rename ${partMeta} -> ${meta}`));
    expect(trace.at(-1)).toBe('fsync .');
    expect(at(`rename ${partMeta} -> ${meta}`)).toBeLessThan(trace.lastIndexOf('fsync .'));
  });
});
