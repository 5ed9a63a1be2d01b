import { KintsugiError } from '../../../shared/errors';
import { jobRequest } from '../../../shared/jobs';
import type { z } from 'zod';

// Parsing a job request lives apart from the dispatch table so the runner, the helper's protocol layer and the
// CLI can validate without pulling in all of core.

export type ParsedJobRequest = z.output<typeof jobRequest>;

/** Parses a request with the shared zod schema; a bad one becomes INVALID_ARGUMENT naming the field. */
export function parseJobRequest(input: unknown): ParsedJobRequest {
  const parsed = jobRequest.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(request)';
    throw new KintsugiError('INVALID_ARGUMENT', `job request: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
