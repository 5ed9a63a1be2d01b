import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { KintsugiError, toErrorPayload } from '../../../shared/errors';
import type { VerifyParams, VerifyResult, VerifyRow } from '../../../shared/models/contract';
import type { JobContext } from '../jobs/context';
import { ProgressMeter } from '../jobs/progress-meter';
import { findModel, ggufPath, loadModels, ollamaName } from './catalog';
import { hashFileInto } from './file-sha256';
import type { OllamaBackend } from './ollama-backend';

// `verify`: a GGUF file's sha256 against its manifest entry (a file without one is `unverifiable`, never OK),
// an Ollama model through the backend. Without slugs: the recommended entries (the monthly scheduled run), with
// --all every entry. A missing model is reported, not an error: verify never downloads.

async function sha256File(path: string, ctx: JobContext): Promise<string> {
  const meter = new ProgressMeter((await stat(path)).size);
  const h = createHash('sha256');
  try {
    await hashFileInto(h, path, {
      signal: ctx.signal,
      onBytes: (b) => ctx.progress({ kind: 'models', phase: 'verify', ...meter.update(b) }),
    });
  } catch (err) {
    if (ctx.signal.aborted) throw new KintsugiError('CANCELLED', `verifying ${path} was cancelled`);
    throw err;
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
