import { open, stat } from 'node:fs/promises';
import { createSHA256 } from 'hash-wasm';
import { toErrorPayload } from '../../../shared/errors';
import type { VerifyParams, VerifyResult, VerifyRow } from '../../../shared/models/contract';
import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import { findModel, ggufPath, loadModels, ollamaName } from './catalog';
import type { OllamaBackend } from './ollama-backend';

// `verify`: a GGUF file's sha256 against its manifest entry (a file without one is `unverifiable`, never OK),
// an Ollama model through the backend. Without slugs: the recommended entries (the monthly scheduled run), with
// --all every entry. A missing model is reported, not an error: verify never downloads.

async function sha256File(path: string, ctx: JobContext): Promise<string> {
  const h = await createSHA256();
  h.init();
  const size = (await stat(path)).size;
  const meter = new ProgressMeter(size);
  const fh = await open(path, 'r');
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  try {
    let pos = 0;
    for (;;) {
      if (ctx.signal.aborted) throw new Error('cancelled');
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
      ctx.progress({ kind: 'models', phase: 'verify', ...meter.update(pos) });
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

export async function verifyModels(
  p: VerifyParams,
  ctx: JobContext,
  ollama: () => OllamaBackend,
): Promise<VerifyResult> {
  const manifest = await loadModels(p.dataRoot);
  const chosen = p.slugs.length
    ? p.slugs.map((s) => findModel(manifest, s))
    : manifest.entries.filter((e) => p.all || e.value.status === 'recommended');
  const rows: VerifyRow[] = [];
  for (const [i, e] of chosen.entries()) {
    const m = e.value;
    ctx.progress({ kind: 'models', phase: 'verify', items: i, itemsTotal: chosen.length, message: m.slug });
    try {
      if (m.source === 'ollama') {
        const r = await ollama().verify(ollamaName(m.slug), ctx);
        rows.push({
          slug: m.slug,
          outcome: r.ok ? 'ok' : 'mismatch',
          ...(r.ok ? {} : { detail: r.problems.join('; ') }),
        });
        continue;
      }
      const path = ggufPath(p.dataRoot, m.file!);
      if (!(await stat(path).catch(() => undefined))) {
        rows.push({ slug: m.slug, outcome: 'missing', detail: path });
        continue;
      }
      if (!m.sha256) {
        rows.push({ slug: m.slug, outcome: 'unverifiable', detail: 'the manifest entry has no sha256' });
        continue;
      }
      const got = await sha256File(path, ctx);
      rows.push(
        got === m.sha256
          ? { slug: m.slug, outcome: 'ok' }
          : { slug: m.slug, outcome: 'mismatch', detail: `sha256 ${got}, expected ${m.sha256}` },
      );
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const e2 = toErrorPayload(err);
      rows.push({
        slug: m.slug,
        outcome: 'failed',
        detail: [e2.message, e2.detail].filter(Boolean).join(': '),
      });
    }
  }
  ctx.progress({ kind: 'models', phase: 'verify', items: chosen.length, itemsTotal: chosen.length });
  return { models: rows };
}
