import type { Client } from '@temporalio/client';
import { ServiceUnavailableError } from './problem';

/**
 * How long the API waits for Temporal on one call. The client retries an unreachable server for
 * about 20 s by itself; a clerk's request must get an honest answer well before a client times out.
 */
export const TEMPORAL_CALL_TIMEOUT_MS = 4_000;

/** Runs one API→Temporal call under a deadline: past it the call fails instead of retrying on. */
export function withinTemporalDeadline<R>(temporal: Client, call: () => Promise<R>, timeoutMs = TEMPORAL_CALL_TIMEOUT_MS): Promise<R> {
  return temporal.withDeadline(Date.now() + timeoutMs, call);
}

export const workflowServiceUnavailable = (detail: string): ServiceUnavailableError =>
  new ServiceUnavailableError('Workflow service unavailable', detail);
