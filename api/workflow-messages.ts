import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ProblemError } from './problem';
import { withinTemporalDeadline, workflowServiceUnavailable } from './temporal-calls';

/**
 * Sends an update to a dossier's workflow. The workflow's validator is the authority on whether the
 * request fits the dossier's state now (a step waiting for a supplement, a group not yet ended), so its
 * refusal becomes a 409 with the workflow's reason and nothing changes.
 */
export async function updateDossierWorkflow<Arg, Ret = void>(
  temporal: Client,
  workflowId: string,
  update: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  /** The message's own id (from the request's Idempotency-Key): Temporal delivers a repeated one once. */
  updateId?: string,
): Promise<Ret> {
  try {
    return await withinTemporalDeadline(temporal, () =>
      temporal.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg], ...(updateId ? { updateId } : {}) }),
    );
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new ProblemError(409, 'Not possible now', error.cause?.message ?? 'the dossier is not in a state that allows this');
    }
    if (error instanceof WorkflowNotFoundError) throw new ProblemError(409, 'Not possible now', 'the procedure group has already ended');
    throw workflowServiceUnavailable('try again shortly');
  }
}
