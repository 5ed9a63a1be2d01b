import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../../src/shared/progress';
import type { JobContext } from '../../src/main/core/jobs/context';

// A data root for the models layer (its user manifest written from plain objects) and a job context that keeps
// what a job said, with a hook on progress (a test cancels a pull at 50 % from there).

export async function modelsDataRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'kintsugi-models-'));
  await mkdir(join(root, 'models', 'user'), { recursive: true });
  return root;
}

export async function writeUserManifest(root: string, yamlText: string): Promise<void> {
  await writeFile(join(root, 'models', 'user', 'models.yaml'), yamlText);
}

export function hfEntry(e: {
  slug: string;
  file: string;
  size?: number;
  sha256?: string;
  revision?: string;
}): string {
  return [
    `  - slug: ${e.slug}`,
    '    source: huggingface',
    '    repo: test-org/test-model',
    `    file: ${e.file}`,
    ...(e.revision ? [`    revision: ${e.revision}`] : []),
    ...(e.size !== undefined ? [`    size: ${e.size}`] : []),
    ...(e.sha256 ? [`    sha256: ${e.sha256}`] : []),
    '    status: recommended',
  ].join('\n');
}

export interface RecordingContext extends JobContext {
  logs: string[];
  progressEvents: Progress[];
  controller: AbortController;
}

export function recordingContext(onProgress?: (p: Progress, c: AbortController) => void): RecordingContext {
  const controller = new AbortController();
  const logs: string[] = [];
  const progressEvents: Progress[] = [];
  return {
    signal: controller.signal,
    controller,
    logs,
    progressEvents,
    log: (m) => logs.push(m),
    progress: (p) => {
      progressEvents.push(p);
      onProgress?.(p, controller);
    },
  };
}
