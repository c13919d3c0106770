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
 * (old ones stay: running workflows were recorded with them; never overwrite them). Usage:
 * npx tsx scripts/record-histories.ts NAME… (the new scenarios to record)
 */
const scenarios = {
  'birth-group-completed': { group: 'BIRTH' as const, options: {} },
  'birth-group-residence-refused': {
    group: 'BIRTH' as const,
    options: { steps: { PERMANENT_RESIDENCE: () => ({ status: 'REFUSED' as const, refusalCode: 'NOT_RESIDENT' }) } },
  },
  'death-group-completed': { group: 'DEATH' as const, options: {} },
  // Deadline timers started, then dropped when the group ends in time.
  'birth-group-with-deadlines': { group: 'BIRTH' as const, options: {}, escalate: true },
};

async function main(): Promise<void> {
  const env = await createTimeSkippingEnvironment();
  const dir = join(__dirname, '..', 'tests', 'workflows', 'histories');
  mkdirSync(dir, { recursive: true });
  try {
    const wanted = process.argv.slice(2);
    if (wanted.length === 0) throw new Error(`name the scenarios to record: ${Object.keys(scenarios).join(', ')}`);
    for (const [name, scenario] of Object.entries(scenarios).filter(([n]) => wanted.includes(n))) {
      const { group, options } = scenario;
      const { activities } = fakeActivities(options);
      const { worker, taskQueue } = await createTestWorker(env, activities);
      const now = await env.currentTimeMs();
      const input = 'escalate' in scenario ? { ...groupInput(group), escalations: [{ level: 1, at: now + 86_400_000 }] } : groupInput(group);
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
