import { KintsugiError } from '../../../shared/errors';
import { jobRequest, type ParsedJobRequest } from '../../../shared/registry';

// Parsing a job request lives apart from the dispatch table so the runner, the hosts' protocol layer and the CLI
// can validate without pulling in all of core.

export type { ParsedJobRequest };

/** Parses a request with the registry's schema; a bad one becomes INVALID_ARGUMENT naming the field. */
export function parseJobRequest(input: unknown): ParsedJobRequest {
  const parsed = jobRequest.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(request)';
    throw new KintsugiError('INVALID_ARGUMENT', `job request: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
