import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { fakeActivities, createTestWorker, groupInput } from '../tests/workflows/harness';
import { createTimeSkippingEnvironment } from '../tests/support/time-skipping';
import { procedureGroupWorkflow } from '../workflows';
import { workflowIdFor } from '../workflows/contract';

/**
 * Records the event histories that tests/workflows/replay.test.ts replays against the current
 * workflow code. Run it only when a deliberate, versioned change to the workflow makes new histories
 * (old ones stay: running workflows were recorded with them). Usage: npx tsx scripts/record-histories.ts
 */
const scenarios = {
  'birth-group-completed': { group: 'BIRTH' as const, options: {} },
  'birth-group-residence-refused': {
    group: 'BIRTH' as const,
    options: { steps: { PERMANENT_RESIDENCE: () => ({ status: 'REFUSED' as const, refusalCode: 'NOT_RESIDENT' }) } },
  },
  'death-group-completed': { group: 'DEATH' as const, options: {} },
};

async function main(): Promise<void> {
  const env = await createTimeSkippingEnvironment();
  const dir = join(__dirname, '..', 'tests', 'workflows', 'histories');
  mkdirSync(dir, { recursive: true });
  try {
    for (const [name, { group, options }] of Object.entries(scenarios)) {
      const { activities } = fakeActivities(options);
      const { worker, taskQueue } = await createTestWorker(env, activities);
      const input = groupInput(group);
      const handle = await env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] });
      await worker.runUntil(handle.result());
      const history = await handle.fetchHistory();
      writeFileSync(join(dir, `${name}.json`), JSON.stringify(temporal.api.history.v1.History.fromObject(history).toJSON()));
      console.log(`recorded ${name}`);
    }
  } finally {
    await env.teardown();
  }
}

void main();
