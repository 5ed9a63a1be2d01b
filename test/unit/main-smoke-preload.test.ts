import { describe, expect, it } from 'vitest';
import { ipcRenderer, recorded } from '../stubs/electron';
import { channelFor, JOB_EVENT_CHANNEL } from '../../src/shared/ipc/envelope';
import { API_ENTRIES, DOMAINS } from '../../src/shared/registry';

// The preload source with the stubbed 'electron': what it exposes and what each function invokes.

describe('preload bridge', async () => {
  await import('../../src/preload/index');
  const bridge = recorded.exposed.get('kintsugi') as Record<string, unknown>;
  const fn = (domain: string, method: string) =>
    (bridge[domain] as Record<string, (...a: unknown[]) => unknown>)[method]!;

  it('exposes exactly the contract methods plus onJobEvent, under window.kintsugi only', () => {
    expect([...recorded.exposed.keys()]).toEqual(['kintsugi']);
    expect(Object.keys(bridge).sort()).toEqual([...Object.keys(DOMAINS), 'onJobEvent'].sort());
    for (const domain of Object.keys(DOMAINS)) {
      const group = bridge[domain] as Record<string, unknown>;
      expect(Object.keys(group).sort()).toEqual(
        Object.keys(DOMAINS[domain as keyof typeof DOMAINS].methods).sort(),
      );
      expect(Object.values(group).every((f) => typeof f === 'function')).toBe(true);
    }
  });

  it('each function invokes its own channel with its arguments and unwraps the response', async () => {
    for (const [domain, method] of API_ENTRIES) {
      recorded.invoked.length = 0;
      const value = await fn(domain, method)({ probe: method });
      const channel = channelFor(domain, method);
      expect(recorded.invoked).toEqual([{ channel, args: [{ probe: method }] }]);
      expect(value).toEqual({ channel, args: [{ probe: method }] });
    }
  });

  it('rethrows an error response as a plain {code, message, hint, detail} object', async () => {
    const original = ipcRenderer.invoke;
    ipcRenderer.invoke = () =>
      Promise.resolve({
        ok: false,
        error: { code: 'DRIVE_IS_SYSTEM', message: 'm', hint: 'h', detail: 'd' },
      });
    try {
      await expect(fn('drives', 'list')({})).rejects.toEqual({
        code: 'DRIVE_IS_SYSTEM',
        message: 'm',
        hint: 'h',
        detail: 'd',
      });
    } finally {
      ipcRenderer.invoke = original;
    }
  });

  it('onJobEvent delivers job events and unsubscribes', () => {
    const seen: unknown[] = [];
    const off = (bridge.onJobEvent as (l: (e: unknown) => void) => () => void)((e) => seen.push(e));
    ipcRenderer.emit(JOB_EVENT_CHANNEL, {}, { jobId: 'j', type: 'log', message: 'hi' });
    off();
    ipcRenderer.emit(JOB_EVENT_CHANNEL, {}, { jobId: 'j', type: 'log', message: 'after' });
    expect(seen).toEqual([{ jobId: 'j', type: 'log', message: 'hi' }]);
  });
});
