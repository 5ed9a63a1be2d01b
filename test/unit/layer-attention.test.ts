import { describe, expect, it } from 'vitest';
import {
  frameworksAttention,
  kernelAttention,
  modelsAttention,
  reflashAttention,
  repoAttention,
} from '../../src/shared/layer-attention';
import type { FrameworkCatalog } from '../../src/shared/frameworks/contract';
import type { ReflashState } from '../../src/shared/reflash/state';

// The layers' counts the tray badge adds to the OS updates, on plain objects shaped as the handlers answer them.

type Entry = FrameworkCatalog['entries'][number];
const fw = (source: string, status: string, installed: boolean) =>
  ({ source, entry: { status }, state: { installed } }) as unknown as Entry;

describe('layer attention', () => {
  it('models: the recommended ones pull --missing would fetch', () => {
    expect(modelsAttention({ slugs: ['a', 'b'] })).toEqual({
      layer: 'models',
      count: 2,
      text: '2 recommended models to pull',
    });
    expect(modelsAttention({ slugs: [] })).toBeUndefined();
  });

  it('frameworks: recommended (source and status) and not installed; the user’s own and evaluating ones never', () => {
    const c = {
      entries: [
        fw('recommended', 'recommended', false),
        fw('recommended', 'recommended', true),
        fw('recommended', 'evaluating', false),
        fw('user', 'recommended', false),
      ],
    };
    expect(frameworksAttention(c)).toMatchObject({ count: 1, text: '1 recommended framework to install' });
    expect(frameworksAttention({ entries: [fw('recommended', 'recommended', true)] })).toBeUndefined();
  });

  it('repo: one thing to do when not cloned or behind, nothing when up to date', () => {
    expect(repoAttention({ cloned: false, behind: 0 })).toMatchObject({
      count: 1,
      text: 'docs & scripts not cloned',
    });
    expect(repoAttention({ cloned: true, behind: 3 })).toMatchObject({
      count: 1,
      text: 'docs & scripts 3 commits behind',
    });
    expect(repoAttention({ cloned: true, behind: 0 })).toBeUndefined();
  });

  it('reflash: the drive written and the data not (fully) back', () => {
    const backup = {
      path: '/b/kintsugi-backup-1',
      manifest: { files: 10 },
    } as unknown as ReflashState['backup'];
    expect(reflashAttention({ writtenDevice: '/dev/loop9', backup })).toMatchObject({ count: 1 });
    expect(
      reflashAttention({
        writtenDevice: '/dev/loop9',
        backup,
        restore: { verified: true, files: 9 } as ReflashState['restore'],
      }),
    ).toMatchObject({ count: 1 });
    expect(
      reflashAttention({
        writtenDevice: '/dev/loop9',
        backup,
        restore: { verified: true, files: 10 } as ReflashState['restore'],
      }),
    ).toBeUndefined();
    expect(reflashAttention({ backup })).toBeUndefined();
    expect(reflashAttention({ writtenDevice: '/dev/loop9' })).toBeUndefined();
  });
  it('kernel: one count per host whose heartbeat is overdue, nothing when none is', () => {
    expect(kernelAttention(['pi5', 'nas'])).toEqual({
      layer: 'kernel',
      count: 2,
      text: 'kernel heartbeat overdue on pi5, nas',
    });
    expect(kernelAttention([])).toBeUndefined();
  });
});
