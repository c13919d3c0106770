import { failed } from '../../chaos/main';
import { runScenario, scenarios } from '../../chaos/scenarios';

/**
 * A short run of the fault-injection suite (`npm run chaos` runs the full one): the worker SIGKILLed
 * every 10 s, and the Temporal server SIGKILLed and restarted, over real processes. Nothing is lost,
 * no act is done twice, and the groups resume within seconds.
 */
describe('fault injection (short)', () => {
  it('survives a worker SIGKILLed every 10 s', async () => {
    const result = await runScenario(scenarios['worker-kill']!, 20, 180_000);
    expect(result).toMatchObject({ started: 20, completed: 20, lost: 0, duplicateActs: 0, actsLeftStanding: 0 });
    expect(failed(result)).toBe(false);
    expect(result.maxRecoverySeconds).toBeLessThan(60);
  }, 300_000);

  it('survives the Temporal server SIGKILLed and restarted mid-run', async () => {
    const result = await runScenario(scenarios['temporal-restart']!, 15, 180_000);
    expect(result).toMatchObject({ started: 15, completed: 15, lost: 0, duplicateActs: 0, actsLeftStanding: 0 });
    expect(failed(result)).toBe(false);
  }, 300_000);
});
