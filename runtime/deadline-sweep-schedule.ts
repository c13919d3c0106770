import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { deadlineSweepScheduleId, workflowTypes } from '../workflows/contract';

/** Creates the deadline-sweep schedule unless it exists (every worker start calls this). */
export async function ensureDeadlineSweepSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: deadlineSweepScheduleId,
      spec: { intervals: [{ every: `${everyMinutes} minutes` }] },
      // A slow sweep is not doubled: the next one waits.
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      action: { type: 'startWorkflow', workflowType: workflowTypes.deadlineSweep, taskQueue, args: [] },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
