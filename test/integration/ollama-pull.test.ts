import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOllamaBackend } from '../../src/main/core/models/ollama/backend';
import type { OllamaBackend } from '../../src/main/core/models/ollama-backend';
import { KintsugiError } from '../../src/shared/errors';
import type { Progress, ProgressOf } from '../../src/shared/progress';
import { recordingContext } from '../helpers/ollama-context';
import { startOllamaStandin, type OllamaStandin } from '../helpers/ollama-standin';

// Pulls through the real backend (the official `ollama` client) against the STAND-IN Ollama server of
// test/helpers/ollama-standin.ts (Ollama cannot run here; it follows the v0.33.0-rc2 wire format).

let dir: string;
let standin: OllamaStandin;
let backend: OllamaBackend;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-ollama-pull-'));
  standin = await startOllamaStandin(join(dir, 'models'));
  backend = createOllamaBackend({ host: standin.host, modelsDir: standin.modelsDir, env: {} });
});
afterEach(async () => {
  await standin.close();
  await rm(dir, { recursive: true, force: true });
});

const modelsEvents = (events: Progress[]): ProgressOf<'models'>[] =>
  events.filter((e): e is ProgressOf<'models'> => e.kind === 'models');

describe('pull (against the stand-in Ollama server)', () => {
  it('sums progress over the layers, bytes and total never going down, with speed and eta', async () => {
    const { size } = standin.publish('qwen3:4b', { layers: [300_000, 150_000] });
    const ctx = recordingContext();
    const model = await backend.pull('qwen3:4b', ctx);

    const events = modelsEvents(ctx.events).filter((e) => e.phase === 'pull');
    expect(events.at(-1)).toMatchObject({ bytes: size, total: size });
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.bytes!).toBeGreaterThanOrEqual(events[i - 1]!.bytes!);
      expect(events[i]!.total!).toBeGreaterThanOrEqual(events[i - 1]!.total!);
    }
    // Summed, not per layer: once the second layer is under way, bytes exceed the first layer alone.
    expect(events.some((e) => e.bytes! > 300_000 && e.bytes! < 450_000)).toBe(true);
    expect(events.every((e) => typeof e.speed === 'number')).toBe(true);
    expect(events.some((e) => e.speed! > 0 && typeof e.eta === 'number')).toBe(true);
    expect(model).toMatchObject({ name: 'qwen3:4b', size, family: 'qwen3', quantization: 'Q4_K_M' });
    expect(standin.pulls).toHaveLength(1);
  });

  it('a stall is dropped, posted again after a back-off, and resumes where the bytes stopped', async () => {
    standin.publish('qwen3:4b', { layers: [400_000] });
    standin.faults.stallAfter = 160_000;
    const ctx = recordingContext();
    const model = await backend.pull('qwen3:4b', ctx, { stallMs: 300, backoffMs: 10, retries: 2 });

    expect(model.name).toBe('qwen3:4b');
    expect(standin.pulls).toHaveLength(2);
    expect(standin.pulls[0]!.closedByClient).toBe(true);
    const layer = Object.keys(standin.pulls[0]!.startedAt)[0]!;
    // The second post started from the bytes the first one left, not from zero.
    expect(standin.pulls[1]!.startedAt[layer]).toBeGreaterThanOrEqual(160_000);
    const bytes = modelsEvents(ctx.events).map((e) => e.bytes ?? -1);
    for (let i = 1; i < bytes.length; i++) expect(bytes[i]!).toBeGreaterThanOrEqual(bytes[i - 1]!);
    expect(ctx.logs.some((l) => /no progress for 300 ms/.test(l))).toBe(true);
    expect((await backend.verify('qwen3:4b', recordingContext())).ok).toBe(true);
  });

  it('the same numbers repeated (Ollama ticking while its download waits) count as a stall too', async () => {
    standin.publish('qwen3:4b', { layers: [400_000] });
    standin.faults.repeatAfter = 96_000;
    const model = await backend.pull('qwen3:4b', recordingContext(), {
      stallMs: 300,
      backoffMs: 10,
      retries: 2,
    });
    expect(model.name).toBe('qwen3:4b');
    expect(standin.pulls).toHaveLength(2);
    expect(standin.pulls[0]!.closedByClient).toBe(true);
  });

  it('a dropped connection is posted again and resumes', async () => {
    standin.publish('qwen3:4b', { layers: [400_000] });
    standin.faults.dropAfter = 128_000;
    const ctx = recordingContext();
    const model = await backend.pull('qwen3:4b', ctx, { backoffMs: 10, retries: 2 });
    expect(model.name).toBe('qwen3:4b');
    expect(standin.pulls).toHaveLength(2);
    const layer = Object.keys(standin.pulls[0]!.startedAt)[0]!;
    expect(standin.pulls[1]!.startedAt[layer]).toBeGreaterThanOrEqual(128_000);
    expect(ctx.logs.some((l) => /connection dropped/.test(l))).toBe(true);
  });

  it('a held pull whose server goes away is reported at once as unreachable, not after the back-off ladder', async () => {
    standin.publish('qwen3:4b', { layers: [400_000] });
    // Held after 64 KB (no watchdog fires within the test: 10 min), then the server stops: the held connection is
    // dropped and nothing listens any more. Default back-off (1 s, doubling, 5 re-posts): before the fix the pull
    // re-posted into the closed port for 1+2+4+8+16 = 31 s, then called it a drop (MODELS_OLLAMA_PULL_FAILED).
    standin.faults.stallAfter = 64_000;
    let stoppedAt = 0;
    const ctx = recordingContext((p) => {
      if (p.kind === 'models' && (p.bytes ?? 0) >= 64_000 && !stoppedAt) {
        stoppedAt = performance.now();
        void standin.close();
      }
    });
    const err = await backend.pull('qwen3:4b', ctx, { stallMs: 600_000 }).catch((e: unknown) => e);
    const took = performance.now() - stoppedAt;
    expect((err as KintsugiError).code).toBe('MODELS_OLLAMA_UNREACHABLE');
    expect((err as KintsugiError).detail).toMatch(/nothing answers at .* any more; it keeps the bytes/);
    expect(ctx.logs.filter((l) => /connection dropped/.test(l))).toHaveLength(1);
    // One back-off step (1 s) after the drop; a generous bound, far under the 31 s ladder and the 10 min watchdog.
    expect(took).toBeLessThan(10_000);
  }, 60_000);

  it('gives up with MODELS_OLLAMA_STALLED when every post stalls', async () => {
    standin.publish('qwen3:4b', { layers: [400_000] });
    standin.faults.stallAfter = 32_000;
    // The stand-in stalls once per setting: set it again for the re-post.
    const ctx = recordingContext(() => {
      if (standin.pulls.length === 2 && standin.faults.stallAfter === undefined)
        standin.faults.stallAfter = 64_000;
    });
    const err = await backend
      .pull('qwen3:4b', ctx, { stallMs: 300, backoffMs: 10, retries: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KintsugiError);
    expect((err as KintsugiError).code).toBe('MODELS_OLLAMA_STALLED');
    expect(standin.pulls).toHaveLength(2);
  });

  it("surfaces a mid-stream error line with the server's message, without retrying", async () => {
    standin.publish('qwen3:4b', { layers: [300_000] });
    standin.faults.errorAfter = { bytes: 64_000, message: 'max retries exceeded: unexpected EOF' };
    const err = await backend
      .pull('qwen3:4b', recordingContext(), { backoffMs: 10 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KintsugiError);
    expect((err as KintsugiError).code).toBe('MODELS_OLLAMA_PULL_FAILED');
    expect((err as KintsugiError).detail).toContain('max retries exceeded: unexpected EOF');
    expect(standin.pulls).toHaveLength(1);
  });

  it('surfaces a model the registry does not have (error line after "pulling manifest")', async () => {
    const err = await backend.pull('nosuch:1b', recordingContext()).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('MODELS_OLLAMA_PULL_FAILED');
    expect((err as KintsugiError).detail).toContain('pull model manifest: file does not exist');
  });

  it('cancel ends the stream at once: the connection closes and the pull rejects with CANCELLED', async () => {
    standin.publish('qwen3:4b', { layers: [400_000] });
    // The stand-in holds the stream open after 64 KB; no watchdog would fire within the test (stallMs 10 min).
    standin.faults.stallAfter = 64_000;
    const ctx = recordingContext((p) => {
      if (p.kind === 'models' && (p.bytes ?? 0) > 0) ctx.controller.abort();
    });
    const err = await backend.pull('qwen3:4b', ctx, { stallMs: 600_000 }).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('CANCELLED');
    await standin.closed(0);
    expect(standin.pulls[0]!.closedByClient).toBe(true);
    expect(standin.pulls).toHaveLength(1);
  });
});
