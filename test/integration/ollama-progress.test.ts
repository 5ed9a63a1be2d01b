import { describe, expect, it } from 'vitest';
import { PullProgress } from '../../src/main/core/models/ollama/pull-progress';

// The layer sum on its own, with lines shaped like Ollama's /api/pull (api.ProgressResponse), and a fake clock.

describe('pull progress', () => {
  it('sums layers, and a re-post that reports fewer bytes for a layer does not move bytes back', () => {
    let t = 0;
    const p = new PullProgress(() => t);
    p.update({ status: 'pulling aaa', digest: 'sha256:a', total: 1000, completed: 600 });
    t = 1000;
    p.update({ status: 'pulling bbb', digest: 'sha256:b', total: 500, completed: 100 });
    expect(p.snapshot()).toMatchObject({ bytes: 700, total: 1500 });
    // A re-post: Ollama threw away part of layer a and restarts it lower.
    t = 2000;
    expect(p.update({ status: 'pulling aaa', digest: 'sha256:a', total: 1000, completed: 200 })).toBe(true);
    expect(p.snapshot()).toMatchObject({ bytes: 700, total: 1500 });
  });

  it('the same numbers again are not progress (Ollama ticks every 60 ms while it waits)', () => {
    const p = new PullProgress(() => 0);
    expect(p.update({ status: 'pulling aaa', digest: 'sha256:a', total: 1000, completed: 10 })).toBe(true);
    expect(p.update({ status: 'pulling aaa', digest: 'sha256:a', total: 1000, completed: 10 })).toBe(false);
    expect(p.update({ status: 'pulling aaa', digest: 'sha256:a', total: 1000, completed: 11 })).toBe(true);
  });

  it('speed and eta over the known total', () => {
    let t = 0;
    const p = new PullProgress(() => t);
    p.update({ status: 'pulling aaa', digest: 'sha256:a', total: 10_000, completed: 0 });
    p.snapshot();
    t = 1000;
    p.update({ status: 'pulling aaa', digest: 'sha256:a', total: 10_000, completed: 2_000 });
    expect(p.snapshot()).toMatchObject({ bytes: 2_000, speed: 2_000, eta: 4 });
  });
});
