import type { JobContext } from '../../src/main/core/jobs/context';
import type { Progress } from '../../src/shared/progress';

/** A JobContext that keeps what core reported, for the Ollama tests (the stand-in server is ollama-standin.ts). */
export function recordingContext(onProgress?: (p: Progress) => void): JobContext & {
  events: Progress[];
  logs: string[];
  controller: AbortController;
} {
  const controller = new AbortController();
  const events: Progress[] = [];
  const logs: string[] = [];
  return {
    controller,
    events,
    logs,
    signal: controller.signal,
    progress: (p) => {
      events.push(p);
      onProgress?.(p);
    },
    log: (m) => logs.push(m),
  };
}
