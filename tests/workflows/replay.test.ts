import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowsPath } from '../../worker/create-worker';

/**
 * Histories recorded from earlier runs (scripts/record-histories.ts) must replay on the current code:
 * a change to the workflow or to a published group definition that would break running dossiers
 * fails here (non-determinism). New behaviour goes behind a new definition version or `patched()`.
 */
const dir = join(__dirname, 'histories');
const histories = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replay of recorded workflow histories', () => {
  it('has recorded histories to replay', () => {
    expect(histories.length).toBeGreaterThanOrEqual(3);
  });

  it.each(histories)('%s replays deterministically on the current workflow code', async (file) => {
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowsPath }, history, file)).resolves.toBeUndefined();
  });
});
