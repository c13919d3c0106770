import { failed } from '../../chaos/main';
import { runScenario, scenarios, type ScenarioResult } from '../../chaos/scenarios';

/**
 * Every fault-injection scenario at a small size, over real processes (`npm run chaos` runs them at
 * full size): nothing lost, no act done twice or left standing, each task decided once and every
 * decision delivered, the API answering as it promises, no service crashing, and the groups resuming
 * within seconds.
 */
const runs: { key: string; groups: number; check(result: ScenarioResult): void }[] = [
  {
    key: 'worker-kill',
    groups: 15,
    check: (result) => {
      expect(result.completed).toBe(result.started);
      expect(result.maxRecoverySeconds).toBeLessThan(60);
    },
  },
  ...['temporal-restart', 'postgres-restart'].map((key) => ({
    key,
    groups: 15,
    check: (result: ScenarioResult) => {
      expect(result.completed).toBe(result.started);
      // The kill must find workflows mid-way, or it proves nothing about them.
      expect(result.figures['dossiers mid-way at the kill']).toBeGreaterThan(0);
    },
  })),
  { key: 'agency-outage', groups: 10, check: (result) => expect(result.completed).toBe(result.started) },
  { key: 'withdrawal-race', groups: 10, check: (result) => expect(result.completed + result.stoppedAsIntended).toBeLessThanOrEqual(result.started) },
  { key: 'manual-withdrawal', groups: 8, check: (result) => expect(result.stoppedAsIntended).toBe(result.stopsRequested) },
  {
    key: 'task-decisions',
    groups: 10,
    check: (result) => {
      // Half raced while Temporal was up (a refusal taken leaves its group partly done), half during the outage.
      const { 'answered 200 and 409': up = 0, 'answered 202 and 409': pending = 0, 'refusals taken': refused = 0 } = result.figures;
      expect(up + pending).toBe(result.started);
      expect(pending).toBeGreaterThanOrEqual(5);
      expect(result.completed).toBe(result.started - refused);
    },
  },
  {
    key: 'portal',
    groups: 12,
    check: (result) => {
      expect(result.completed).toBe(result.started);
      // The faults must find workflows mid-way and uploads under way, or they prove nothing about them.
      expect(result.figures['dossiers mid-way at the kill']).toBeGreaterThan(0);
      expect(result.figures['uploads answered 503 while the store was down']).toBeGreaterThan(0);
      // Two of every three filed twice, one other content under a code already used.
      expect(result.figures).toMatchObject({ 'filed twice': 8, 'other content answered 409': 1 });
      expect(result.figures).toMatchObject({
        attachments: 12,
        'attachments without their object': 0,
        'dossiers without their attachment': 0,
        'orphan objects swept': 1,
        'orphan objects after the sweep': 0,
        'status messages undelivered': 0,
        'messages the outbox never recorded': 0,
        'status changes sent twice': 0,
        'step results without a message': 0,
        'status messages out of order': 0,
        'dossiers whose reception or end the portal missed': 0,
      });
      // A reception, four step results and the end for each dossier.
      expect(result.figures['delivered to the portal']).toBe(result.figures['status messages']);
      expect(result.figures['status messages']).toBeGreaterThanOrEqual(6 * 12);
    },
  },
];

describe('fault injection (short)', () => {
  it('runs every scenario', () => {
    expect(runs.map((r) => r.key).sort()).toEqual(Object.keys(scenarios).sort());
  });

  it.each(runs)('$key with $groups birth groups', async ({ key, groups, check }) => {
    const result = await runScenario(scenarios[key]!, groups, 180_000);
    expect(result).toMatchObject({ started: groups, lost: 0, duplicateActs: 0, actsLeftStanding: 0, decidedTwice: 0, decisionsUndelivered: 0, answersAmiss: [], servicesCrashed: [] });
    expect(failed(result)).toBe(false);
    check(result);
  }, 300_000);
});
