import { describe, expect, it } from 'vitest';
import { ipcRenderer, recorded } from '../stubs/electron';
import { API_METHODS, channelFor, JOB_EVENT_CHANNEL } from '../../src/shared/contract';

// The preload source with the stubbed 'electron': what it exposes and what each function invokes.

describe('preload bridge', async () => {
  await import('../../src/preload/index');
  const bridge = recorded.exposed.get('kintsugi') as Record<string, (...a: unknown[]) => unknown>;

  it('exposes exactly the contract methods plus onJobEvent, under window.kintsugi only', () => {
    expect([...recorded.exposed.keys()]).toEqual(['kintsugi']);
    expect(Object.keys(bridge).sort()).toEqual([...API_METHODS, 'onJobEvent'].sort());
    expect(Object.values(bridge).every((f) => typeof f === 'function')).toBe(true);
  });

  it('each function invokes its own channel with its arguments and unwraps the response', async () => {
    for (const method of API_METHODS) {
      recorded.invoked.length = 0;
      const value = await bridge[method]!({ probe: method });
      expect(recorded.invoked).toEqual([{ channel: channelFor(method), args: [{ probe: method }] }]);
      expect(value).toEqual({ channel: channelFor(method), args: [{ probe: method }] });
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
      await expect(bridge.listDrives!({})).rejects.toEqual({
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
    const off = bridge.onJobEvent!((e: unknown) => seen.push(e)) as () => void;
    ipcRenderer.emit(JOB_EVENT_CHANNEL, {}, { jobId: 'j', type: 'log', message: 'hi' });
    off();
    ipcRenderer.emit(JOB_EVENT_CHANNEL, {}, { jobId: 'j', type: 'log', message: 'after' });
    expect(seen).toEqual([{ jobId: 'j', type: 'log', message: 'hi' }]);
  });
});
