import { describe, expect, it } from 'vitest';
import type { ImageReport } from '../../src/shared/model';
import { parseJobRequest } from '../../src/main/core/jobs/request';
import { flashRequestFor, imageCheckRequest } from '../../src/main/core/image/requests';

// The requests the reflash flow and the CLI both send: what they carry, what they leave out, and that the job
// schemas accept them.

const sha = 'a'.repeat(64);
const report: ImageReport = {
  path: '/cache/1234abcd-k-v3.img.zst',
  source: 'https://example.invalid/k-v3.img.zst',
  compression: 'zstd',
  fileSize: 1000,
  checksum: { target: 'image', fileName: 'k-v3.img', expected: sha, ok: true },
  bmap: { path: '/cache/k-v3.img.bmap', mappedBytes: 10, imageSize: 100, blockSize: 4096 },
};

describe('imageCheckRequest', () => {
  it('carries what was chosen and leaves out what was not', () => {
    expect(imageCheckRequest({ source: '/i/k.img', sha256File: '', minisigFile: undefined })).toEqual({
      type: 'image-check',
      params: { source: '/i/k.img' },
    });
    const full = imageCheckRequest({
      source: '/i/k.img',
      sha256File: '/i/k.sha256',
      minisigFile: '/i/k.minisig',
      pubkey: 'RWQ...',
      fullCheck: false,
    });
    expect(full.params).toEqual({
      source: '/i/k.img',
      sha256File: '/i/k.sha256',
      minisigFile: '/i/k.minisig',
      pubkey: 'RWQ...',
      fullCheck: false,
    });
    expect(() => parseJobRequest(full)).not.toThrow();
  });
});

describe('ignoring the .bmap beside the image (--no-bmap)', () => {
  it('the image check carries noBmap, and the job schema accepts it', () => {
    const req = imageCheckRequest({ source: '/i/k.img.zst', noBmap: true });
    expect(req.params).toEqual({ source: '/i/k.img.zst', noBmap: true });
    expect(() => parseJobRequest(req)).not.toThrow();
    // Without a bmap in the report, the flash writes the whole image.
    const { bmap: _bmap, ...noBmapReport } = report;
    expect(
      flashRequestFor(noBmapReport, '/dev/sdb', { includeLoop: false, verify: true }).params,
    ).not.toHaveProperty('bmap');
  });
});

describe('flashRequestFor', () => {
  it('flashes the checked file with its bmap and re-checks the matched sha256 while streaming', () => {
    const req = flashRequestFor(report, '/dev/sdb', { includeLoop: false, verify: true });
    expect(req).toEqual({
      type: 'flash',
      params: {
        image: report.path,
        device: '/dev/sdb',
        includeLoop: false,
        verify: true,
        bmap: '/cache/k-v3.img.bmap',
        expectedSha256: { target: 'image', value: sha },
      },
    });
    expect(() => parseJobRequest(req)).not.toThrow();
  });

  it('expects no sha256 the check did not match, and no bmap it did not find', () => {
    const { bmap: _none, ...noBmap } = report;
    const req = flashRequestFor({ ...noBmap, checksum: { ...report.checksum!, ok: false } }, '/dev/loop3', {
      includeLoop: true,
      verify: false,
    });
    expect(req.params).toEqual({
      image: report.path,
      device: '/dev/loop3',
      includeLoop: true,
      verify: false,
    });
  });
});
