import { isGrpcServiceError, WorkflowExecutionAlreadyStartedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import { ValueError } from '@temporalio/common';
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

/** gRPC statuses by which Temporal refuses a call itself (malformed, not allowed): retrying at once will not help. */
const refusalCodes = new Map([
  [3, 'INVALID_ARGUMENT'],
  [7, 'PERMISSION_DENIED'],
  [9, 'FAILED_PRECONDITION'],
]);

/**
 * The gRPC status name when Temporal answered and refused the call; undefined for anything else, such
 * as Temporal unreachable or past the deadline (an outage: the same call may pass later).
 */
export function temporalRefusal(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown }).cause;
  const grpc = isGrpcServiceError(error) ? error : isGrpcServiceError(cause) ? cause : undefined;
  return grpc === undefined ? undefined : refusalCodes.get(grpc.code);
}

/**
 * Why a workflow start will not pass however often it is tried: Temporal refused it, or the client could
 * not make a request of the row's values (UNBUILDABLE: a value it cannot encode, a field missing). Undefined
 * for an outage.
 */
export function startRefusal(error: unknown): string | undefined {
  return temporalRefusal(error) ?? (error instanceof ValueError || error instanceof TypeError ? 'UNBUILDABLE' : undefined);
}
