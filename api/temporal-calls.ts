import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
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

/**
 * Starts a workflow under the call deadline with its fixed id, *use existing*: a running one is the one
 * wanted, a finished one is never started again. Undefined when Temporal has it (started now or
 * before); the error when Temporal did not take it, for the caller to leave its row to the reconciler.
 */
export async function startWorkflowOnce(temporal: Client, workflowType: string, options: Omit<WorkflowStartOptions, 'workflowIdConflictPolicy' | 'workflowIdReusePolicy'>): Promise<Error | undefined> {
  try {
    await withinTemporalDeadline(temporal, () =>
      temporal.workflow.start(workflowType, { ...options, workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' } as WorkflowStartOptions),
    );
    return undefined;
  } catch (error) {
    return error instanceof WorkflowExecutionAlreadyStartedError ? undefined : (error as Error);
  }
}
