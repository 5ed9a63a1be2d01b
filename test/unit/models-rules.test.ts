import { describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { pullParams, removeParams } from '../../src/shared/models/contract';
import { parseManifestText } from '../../src/main/core/manifests/parse-manifest';
import { MODELS_MANIFEST } from '../../src/main/core/manifests/models';
import { ggufPrefixProblem, parseGgufHeader } from '../../src/main/core/models/gguf-header';
import { checkStorage, guardLimits, type FsUsage } from '../../src/main/core/models/storage-guard';
import { hfResolveUrl, authHeaderFor } from '../../src/main/core/models/hf-url';
import { recordEvery } from '../../src/main/core/models/download-checkpoints';
import { trustedBytes, type DownloadState } from '../../src/main/core/models/download-state';
import { ggufHeader } from '../helpers/gguf-fixture';

// The models layer's pure rules with plain values: the GGUF header reader, the storage guard (FAT32 included: no
// vfat module on these machines, so its filesystem is a plain object here), the URL and token rules, and the
// input schemas against injection.

const GiB = 1024 ** 3;
const fs = (usedPct: number, o: Partial<FsUsage> = {}): FsUsage => ({
  mountPoint: '/data',
  totalBytes: 100 * GiB,
  usedBytes: usedPct * GiB,
  fat32: false,
  ...o,
});
const limits = { warnPercent: 80, refusePercent: 95 };

describe('GGUF header', () => {
  it('reads architecture, quantization, parameter count and context length', () => {
    const info = parseGgufHeader(
      ggufHeader({ architecture: 'qwen2', fileType: 7, contextLength: 32768, tensors: [[10, 20], [5]] }),
    );
    expect(info).toEqual({
      version: 3,
      architecture: 'qwen2',
      quantization: 'Q8_0',
      parameterCount: 205,
      contextLength: 32768,
    });
  });

  it.each([
    ['<!doctype html><html>', /HTML page/],
    ['{"error":"Entry not found"}', /JSON/],
    ['version https://git-lfs.github.com/spec/v1\noid sha256:0', /LFS pointer/],
    ['GGUF', /only 4 bytes/],
    ['GGML' + '\0'.repeat(30), /no GGUF magic/],
  ])('refuses %j', (text, why) => {
    expect(ggufPrefixProblem(Buffer.from(text, 'latin1'))).toMatch(why);
  });

  it('refuses an unknown version and a header cut short', () => {
    expect(ggufPrefixProblem(ggufHeader({ version: 9 }))).toMatch(/unknown GGUF version 9/);
    expect(ggufPrefixProblem(ggufHeader({ version: 1 }))).toMatch(/unknown GGUF version 1/);
    const h = ggufHeader();
    expect(() => parseGgufHeader(h.subarray(0, h.length - 3))).toThrow(/ends inside the header/);
  });
});

describe('storage guard', () => {
  it('passes below the warning, warns from 80 %, refuses from 95 % of the projected usage', () => {
    expect(checkStorage(fs(50), 10 * GiB, limits).warning).toBeUndefined();
    expect(checkStorage(fs(75), 6 * GiB, limits).warning).toBe(
      'Storage at 81% of /data after this pull (warning at 80%)',
    );
    expect(() => checkStorage(fs(90), 6 * GiB, limits)).toThrow('Storage at 96% of /data — refusing pull');
    expect(() => checkStorage(fs(94), 1 * GiB, limits)).toThrow(/refusing pull/);
  });

  it('refuses a file over 4 GiB on FAT32, allows one just under', () => {
    const fat = fs(10, { fat32: true, mountPoint: '/media/stick' });
    const err = (() => {
      try {
        checkStorage(fat, 5 * GiB, limits, 5 * GiB);
      } catch (e) {
        return e as KintsugiError;
      }
    })();
    expect(err?.code).toBe('MODEL_TOO_LARGE_FOR_FS');
    expect(checkStorage(fat, 4 * GiB - 1, limits, 4 * GiB - 1).ok).toBe(true);
  });

  it('reads the thresholds from the environment and refuses nonsense', () => {
    expect(guardLimits({ KINTSUGI_STORAGE_WARN_PCT: '60', KINTSUGI_STORAGE_REFUSE_PCT: '70' })).toEqual({
      warnPercent: 60,
      refusePercent: 70,
    });
    expect(() => guardLimits({ KINTSUGI_STORAGE_REFUSE_PCT: 'lots' })).toThrow(KintsugiError);
    const err = (() => {
      try {
        guardLimits({ KINTSUGI_STORAGE_WARN_PCT: '96' });
      } catch (e) {
        return e as KintsugiError;
      }
    })();
    expect(err?.detail).toMatch(/WARN_PCT \(96\) is above .*REFUSE_PCT \(95\)/);
  });
});

describe('download records', () => {
  const MiB = 1024 * 1024;
  it('records often enough that a kill refetches under 1 % of a file from 1 GiB up (2 batches of 2 MiB in memory)', () => {
    for (const size of [GiB, 2 * GiB, 20 * GiB])
      expect(recordEvery(size) + 4 * MiB).toBeLessThanOrEqual(size / 100);
    expect(recordEvery(GiB)).toBe(4 * MiB);
    // Never a record per batch on small files, never more than 8 MiB apart on big ones.
    expect(recordEvery(24 * MiB)).toBe(2 * MiB);
    expect(recordEvery(undefined)).toBe(2 * MiB);
    expect(recordEvery(100 * GiB)).toBe(8 * MiB);
  });

  it('trusts every written byte in the boot that wrote them, only the fsynced ones in another or an unknown one', () => {
    const s: DownloadState = { v: 2, url: 'u', bytes: 100, durableBytes: 40, bootId: 'boot-a' };
    expect(trustedBytes(s, 'boot-a')).toBe(100);
    expect(trustedBytes(s, 'boot-b')).toBe(40);
    expect(trustedBytes(s, undefined)).toBe(40);
    const { bootId: _unknown, ...noBoot } = s;
    expect(trustedBytes(noBoot, undefined)).toBe(40);
  });
});

describe('Hugging Face URL and token', () => {
  it('builds {HF_ENDPOINT}/{repo}/resolve/{revision}/{file}, main by default', () => {
    expect(hfResolveUrl({ repo: 'Qwen/Q-GGUF', file: 'q.gguf' }, {})).toBe(
      'https://huggingface.co/Qwen/Q-GGUF/resolve/main/q.gguf',
    );
    expect(
      hfResolveUrl({ repo: 'a/b', revision: 'v1', file: 'c.gguf' }, { HF_ENDPOINT: 'http://127.0.0.1:9/' }),
    ).toBe('http://127.0.0.1:9/a/b/resolve/v1/c.gguf');
    expect(() => hfResolveUrl({ repo: 'a/b', file: 'c' }, { HF_ENDPOINT: 'file:///etc' })).toThrow(
      KintsugiError,
    );
  });

  it('sends HF_TOKEN to the endpoint origin only, never to a CDN a redirect names', () => {
    const env = { HF_TOKEN: 'hf_x', HF_ENDPOINT: 'https://huggingface.co' };
    expect(authHeaderFor('https://huggingface.co/a/b/resolve/main/c', env)).toEqual({
      authorization: 'Bearer hf_x',
    });
    expect(authHeaderFor('https://cdn-lfs.hf.co/repos/x', env)).toEqual({});
  });
});

describe('bad input', () => {
  it.each(['qwen;rm -rf /', 'a$(id)', 'two words', '../etc/passwd', 'a/../../b', '-rf', 'A:b c'])(
    'a slug %j is refused by the job schema',
    (slug) => {
      expect(pullParams.safeParse({ dataRoot: '/data', slug }).success).toBe(false);
      expect(removeParams.safeParse({ dataRoot: '/data', slug }).success).toBe(false);
    },
  );

  it("accepts the guide's slugs", () => {
    for (const slug of ['qwen3.5:4b', 'llama3.1:8b', 'library/qwen2.5-coder:7b', 'my-model'])
      expect(pullParams.safeParse({ dataRoot: '/data', slug }).success).toBe(true);
  });

  it.each([
    ['sha256 not 64 hex', { sha256: "'abc123'" }, /64/],
    ['a file with ../', { file: "'../x.gguf'" }, /file name|\.\./],
    ['a file with a space', { file: "'a b.gguf'" }, /file name/],
    ['a repo with $(...)', { repo: "'a/$(id)'" }, /Hugging Face repo/],
  ])('a manifest entry with %s is reported at its line and left out', (_what, override, why) => {
    const fields: Record<string, string> = {
      slug: 'bad',
      source: 'huggingface',
      repo: 'a/b',
      file: 'bad.gguf',
      ...override,
    };
    const bad = Object.entries(fields)
      .map(([k, v], i) => `${i ? '    ' : '  - '}${k}: ${v}\n`)
      .join('');
    const text = `models:\n  - slug: ok\n    source: huggingface\n    repo: a/b\n    file: ok.gguf\n${bad}`;
    const r = parseManifestText(text, '/u/models.yaml', MODELS_MANIFEST);
    expect(r.entries.map((e) => e.value.slug)).toEqual(['ok']);
    expect(r.problems).toHaveLength(1);
    const line = 6 + Object.keys(fields).indexOf(Object.keys(override)[0]!);
    expect(r.problems[0]!.line).toBe(line);
    expect(r.problems[0]!.message).toMatch(why);
  });
});
