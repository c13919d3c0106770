import { query } from '../../chaos/audit';
import { startChaosStack, type ChaosStack } from '../../chaos/stack';
import { birthIntake } from '../support/fixtures';
import { gatewayMessages, setGatewayFaults } from '../support/notifications';
import { eventually, postJson } from '../support/stack';

/**
 * The outbox delivers exactly once across a worker kill: the worker process is SIGKILLed while the
 * gateway holds the answer to messages it has already taken (between "sent" and "marked"). The new
 * worker sends them again under the same Idempotency-Key; the gateway recognises each, so it took every
 * announcement once, and every row ends DELIVERED.
 */
describe('the notification outbox across a worker kill', () => {
  let stack: ChaosStack;
  beforeAll(async () => {
    stack = await startChaosStack({ NOTIFICATION_RETRY_INITIAL_MS: '200', NOTIFICATION_RETRY_MAX_MS: '1000' });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('delivers each announcement once although it was sent again', async () => {
    // Messages are taken at once but answered 3 s later: the kill lands between sending and marking.
    await setGatewayFaults(stack.simulatorUrl, { latencyMs: 3000 });
    const intakes = Array.from({ length: 3 }, () => birthIntake({ contact: { phone: '0912345678' } }));
    for (const intake of intakes) expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    await eventually(async () => ((await gatewayMessages(stack.simulatorUrl)).length > 0 ? true : undefined), 90_000);
    await stack.killWorker();
    const inFlight = (await gatewayMessages(stack.simulatorUrl)).map((m) => m.idempotencyKey);
    const numbers = intakes.map((i) => i.dossierNumber);
    const undelivered = await query<{ id: string }>(
      stack.databaseUrl,
      `SELECT n.id FROM citizen_notification n JOIN dossier d ON d.id = n.dossier_id WHERE d.dossier_number = ANY($1) AND n.status <> 'DELIVERED'`,
      [numbers],
    );
    // What the gateway took before the kill was never marked: the worker died waiting for the answer.
    expect(undelivered.map((r) => r.id)).toEqual(expect.arrayContaining(inFlight));

    await setGatewayFaults(stack.simulatorUrl, { latencyMs: 0 });
    stack.startWorker();
    const rows = await eventually(async () => {
      const found = await query<{ id: string; status: string; event: string }>(
        stack.databaseUrl,
        `SELECT n.id, n.status, n.event FROM citizen_notification n JOIN dossier d ON d.id = n.dossier_id WHERE d.dossier_number = ANY($1)`,
        [numbers],
      );
      const ended = found.filter((r) => r.event === 'GROUP_ENDED').length === numbers.length;
      return ended && found.every((r) => r.status === 'DELIVERED') ? found : undefined;
    }, 120_000);
    expect(rows).toHaveLength(numbers.length * 5);

    const messages = await gatewayMessages(stack.simulatorUrl);
    // Once each: one message per row, none extra, none missing.
    expect(messages.map((m) => m.idempotencyKey).sort()).toEqual(rows.map((r) => r.id).sort());
    // And the ones in flight at the kill were indeed sent again, and recognised.
    const repeated = messages.filter((m) => inFlight.includes(m.idempotencyKey));
    expect(repeated.length).toBeGreaterThan(0);
    expect(repeated.every((m) => m.calls >= 2)).toBe(true);
  }, 300_000);
});
