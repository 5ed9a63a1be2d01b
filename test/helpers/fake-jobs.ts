import { mkdir } from 'node:fs/promises';
import { KintsugiError } from '../../src/shared/errors';
import type { BackupManifest } from '../../src/shared/model';
import { writeManifest } from '../../src/main/core/backup/manifest';
import type { JobRequest } from '../../src/shared/registry';
import type { JobExecutor } from '../../src/main/core/jobs/executor';

// A stand-in executor for flow tests that must not touch a drive: it records every request main built and answers
// with results shaped like core's. Flows on real loop devices are tested in test/integration/reflash-*.test.ts.

export interface FakeJobs extends JobExecutor {
  requests: JobRequest[];
  /** Job types that wait for cancel instead of finishing. */
  hang: Set<string>;
  /** Job types that fail with this code. */
  fail: Map<string, 'IMAGE_CORRUPT' | 'FLASH_WRITE_FAILED' | 'BACKUP_FAILED'>;
  restoredFiles?: number;
}

export function fakeJobs(backupFiles = 3): FakeJobs {
  let n = 0;
  const fake: FakeJobs = {
    requests: [],
    hang: new Set(),
    fail: new Map(),
    async run(req, ctx) {
      fake.requests.push(req);
      if (fake.hang.has(req.type))
        await new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new KintsugiError('CANCELLED')), { once: true }),
        );
      const code = fake.fail.get(req.type);
      if (code) throw new KintsugiError(code, `${req.type} failed on purpose`);
      const p = req.params as Record<string, unknown>;
      switch (req.type) {
        case 'image-check':
          return {
            path: String(p.source),
            source: String(p.source),
            compression: 'zstd',
            fileSize: 100,
            imageSize: 1000,
          };
        case 'backup': {
          const id = `kintsugi-backup-${++n}`;
          const manifest: BackupManifest = {
            formatVersion: 1,
            id,
            source: String(p.source),
            createdAt: new Date().toISOString(),
            finishedAt: new Date().toISOString(),
            files: backupFiles,
            bytes: 10,
            verified: true,
            tools: {},
          };
          // A real manifest on disk: the flow reads it back when it adopts or re-uses a backup.
          const path = `${String(p.destRoot)}/${id}`;
          await mkdir(path, { recursive: true });
          await writeManifest(path, manifest);
          return { ...manifest, path };
        }
        case 'flash':
          return {
            device: String(p.device),
            bytesWritten: 1000,
            fingerprint: { algorithm: 'xxh3-128-of-xxh64-1m', hex: 'a'.repeat(32) },
            hashes: [
              { algorithm: 'xxh3-128-of-xxh64-1m', over: 'written' },
              { algorithm: 'xxh3-128-of-xxh64-1m', over: 'read-back' },
            ],
            verified: true,
            usedBmap: false,
            durationMs: 5,
          };
        case 'restore':
          return {
            backupDir: String(p.backupDir),
            target: String(p.target),
            files: fake.restoredFiles ?? backupFiles,
            bytes: 10,
            verified: true,
            durationMs: 5,
          };
        default:
          throw new KintsugiError('INVALID_ARGUMENT', `fake: ${req.type}`);
      }
    },
  };
  return fake;
}
