import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { deadlineSweepScheduleId, workflowTypes } from '../workflows/contract';

/**
 * Creates the deadline-sweep schedule, or brings an existing one to this worker's settings (every
 * worker start calls this). A schedule left by an earlier deployment would otherwise keep its task
 * queue and interval: a renamed queue would send every sweep where no worker listens.
 */
export async function ensureDeadlineSweepSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<void> {
  const spec = { intervals: [{ every: `${everyMinutes} minutes` }] };
  // A run left without a worker (its queue renamed) ends by itself instead of skipping every later sweep.
  const action = { type: 'startWorkflow' as const, workflowType: workflowTypes.deadlineSweep, taskQueue, args: [], workflowRunTimeout: '30 minutes' };
  try {
    // A slow sweep is not doubled: the next one waits.
    await client.schedule.create({ scheduleId: deadlineSweepScheduleId, spec, policies: { overlap: ScheduleOverlapPolicy.SKIP }, action });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(deadlineSweepScheduleId).update((previous) => ({ ...previous, spec, action, policies: { ...previous.policies, overlap: ScheduleOverlapPolicy.SKIP } }));
  }
}
