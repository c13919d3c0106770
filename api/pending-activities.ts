import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import { temporal as proto } from '@temporalio/proto';
import { z } from 'zod';
import type { DossierActivities } from '../activities';
import { stepCodes, type StepCode } from '../domain/procedures';
import { withinTemporalDeadline } from './temporal-calls';

/**
 * What Temporal knows and the database does not: the activities of a dossier's workflow under way
 * right now, each with its current attempt, why the last one failed and when the next one starts.
 * Read from the workflow's description (pending activities) and tied to their step through the input
 * each was scheduled with (the history's scheduling events: a pending activity names only its id).
 */

/** What an activity does for its step, as the people following the dossier understand it. */
export const liveActivityKinds = ['AGENCY_CALL', 'AGENCY_UNDO', 'TASK', 'RECORD', 'OTHER'] as const;
export type LiveActivityKind = (typeof liveActivityKinds)[number];

const kindOfActivity = {
  performStep: 'AGENCY_CALL',
  compensateStep: 'AGENCY_UNDO',
  openTask: 'TASK',
  openUndoTask: 'TASK',
  performManualStep: 'TASK',
  compensateManualStep: 'TASK',
  recordStepOutcome: 'RECORD',
  openSupplementRequest: 'RECORD',
  recordSupplementReceived: 'RECORD',
  recordTaskDecision: 'RECORD',
  openIncident: 'RECORD',
  closeIncident: 'RECORD',
  recordGroupOutcome: 'RECORD',
} as const satisfies Partial<Record<keyof DossierActivities, LiveActivityKind>>;

/** Temporal's PendingActivityState, by name; paused is an operator's act, not a retry. */
export const liveActivityStates = ['SCHEDULED', 'STARTED', 'CANCEL_REQUESTED', 'PAUSED', 'PAUSE_REQUESTED', 'UNKNOWN'] as const;
const stateNames: Record<number, (typeof liveActivityStates)[number]> = {
  [proto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED]: 'SCHEDULED',
  [proto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED]: 'STARTED',
  [proto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED]: 'CANCEL_REQUESTED',
  [proto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_PAUSED]: 'PAUSED',
  [proto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_PAUSE_REQUESTED]: 'PAUSE_REQUESTED',
};

export const liveActivitySchema = z.object({
  kind: z.enum(liveActivityKinds),
  activityType: z.string(),
  state: z.enum(liveActivityStates),
  /** The attempt under way, or the next one while backing off (1: the first). */
  attempt: z.number().int(),
  /** 0: retried until it succeeds. */
  maximumAttempts: z.number().int(),
  lastFailure: z.object({ message: z.string(), type: z.string().nullable() }).nullable(),
  lastStartedAt: z.iso.datetime().nullable(),
  /** When the next attempt starts; null while an attempt runs or none is allowed. */
  nextAttemptAt: z.iso.datetime().nullable(),
});
export type LiveActivity = z.infer<typeof liveActivitySchema>;

export type LiveUnavailableReason = 'TEMPORAL_UNREACHABLE' | 'WORKFLOW_NOT_FOUND';
export type LiveActivities =
  | { available: true; byStep: Map<StepCode, LiveActivity[]> }
  | { available: false; reason: LiveUnavailableReason; detail: string };

const isoOf = (ts: Parameters<typeof optionalTsToDate>[0]): string | null => optionalTsToDate(ts)?.toISOString() ?? null;

/** The innermost message of a failure: an activity's own error, not its wrappers. */
function failureOf(failure: proto.api.failure.v1.IFailure | null | undefined): LiveActivity['lastFailure'] {
  if (!failure) return null;
  let inner = failure;
  while (inner.cause) inner = inner.cause;
  return { message: inner.message ?? failure.message ?? '', type: inner.applicationFailureInfo?.type ?? null };
}

/** The step an activity was scheduled for: the `step` of its first argument, when it is one of ours. */
async function stepsByActivityId(temporal: Client, history: proto.api.history.v1.IHistory): Promise<Map<string, StepCode>> {
  const steps = new Map<string, StepCode>();
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (!scheduled?.activityId) continue;
    const input = await decodeFromPayloadsAtIndex<{ step?: unknown } | null>(temporal.options.loadedDataConverter, 0, scheduled.input?.payloads).catch(() => null);
    const step = input?.step;
    if (typeof step === 'string' && (stepCodes as readonly string[]).includes(step)) steps.set(scheduled.activityId, step as StepCode);
  }
  return steps;
}

/**
 * The pending activities of a dossier's workflow, by step, within the API's deadline for Temporal.
 * Never throws for Temporal's sake: unreachable or the workflow gone, it says so and why.
 */
export async function liveActivities(temporal: Client, workflowId: string, timeoutMs?: number): Promise<LiveActivities> {
  try {
    return await withinTemporalDeadline(
      temporal,
      async () => {
        const handle = temporal.workflow.getHandle(workflowId);
        const { raw } = await handle.describe();
        const pending = raw.pendingActivities ?? [];
        const byStep = new Map<StepCode, LiveActivity[]>();
        if (pending.length === 0) return { available: true, byStep };
        const steps = await stepsByActivityId(temporal, await handle.fetchHistory());
        for (const activity of pending) {
          const step = steps.get(activity.activityId ?? '');
          if (!step) continue;
          const activityType = activity.activityType?.name ?? '';
          const live: LiveActivity = {
            kind: (kindOfActivity as Record<string, LiveActivityKind>)[activityType] ?? 'OTHER',
            activityType,
            state: stateNames[activity.state ?? 0] ?? 'UNKNOWN',
            attempt: activity.attempt ?? 1,
            maximumAttempts: activity.maximumAttempts ?? 0,
            lastFailure: failureOf(activity.lastFailure),
            lastStartedAt: isoOf(activity.lastStartedTime),
            nextAttemptAt: isoOf(activity.nextAttemptScheduleTime),
          };
          byStep.set(step, [...(byStep.get(step) ?? []), live]);
        }
        return { available: true, byStep };
      },
      timeoutMs,
    );
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { available: false, reason: 'WORKFLOW_NOT_FOUND', detail: 'the workflow is not (or no longer) in Temporal' };
    return { available: false, reason: 'TEMPORAL_UNREACHABLE', detail: (error as Error).message };
  }
}
