import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/app';
import { createWorkingCalendar } from '../../domain/working-days';
import { createLogger } from '../../runtime/logger';
import { birthIntake } from '../support/fixtures';
import { freePort } from '../support/free-port';
import { eventually, getJson, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';

/**
 * The dossier's map over HTTP on the real stack: an agency in outage shows on its step as retries under
 * way (attempt, last failure, next retry) from Temporal; the outage over, the step shows completed.
 * Without Temporal the map still answers from the database; another jurisdiction gets nothing.
 */
describe('dossier map', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Retries slow enough to be seen between attempts, and never exhausted during the outage.
    stack = await startStack({ STEP_RETRY_INITIAL_MS: '1000', STEP_RETRY_MAX_MS: '2000', STEP_MAX_ATTEMPTS: '200' });
  });
  afterAll(async () => {
    await setAgencyFaults(stack.simulatorUrl, 'social-security', { outage: false }).catch(() => undefined);
    await stack?.stop();
  });

  const mapOf = (dossierNumber: string, token = stack.tokens.clerk, apiUrl = stack.apiUrl) => getJson(`${apiUrl}/v1/dossiers/${encodeURIComponent(dossierNumber)}/map`, token);
  const step = (map: any, code: string) => map.steps.find((s: any) => s.step === code);

  it('shows the retries of a step whose agency is down, then the step completed once it is back', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'social-security', { outage: true });
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);

    const retrying = await eventually(async () => {
      const { status, body } = await mapOf(intake.dossierNumber);
      expect(status).toBe(200);
      const card = step(body, 'CHILD_HEALTH_INSURANCE');
      const call = card.attempts.live.find((a: any) => a.kind === 'AGENCY_CALL' && a.attempt > 1 && a.nextAttemptAt && a.lastFailure);
      return call ? { body, card, call } : undefined;
    }, 60_000);
    expect(retrying.body.live).toMatchObject({ available: true, reason: null });
    expect(retrying.card).toMatchObject({ status: 'RUNNING', chosen: true, dependsOn: ['PERSONAL_ID'], agency: 'SOCIAL_SECURITY' });
    expect(retrying.call.lastFailure.message).toMatch(/HTTP 503/);
    expect(new Date(retrying.call.nextAttemptAt).getTime()).toBeGreaterThan(Date.now() - 5_000);
    expect(retrying.card.attempts.recorded).toBeGreaterThanOrEqual(1);
    expect(retrying.card.attempts.lastError).toMatch(/HTTP 503/);
    // The graph is the definition's: every birth step, the dependencies as edges.
    expect(retrying.body.steps.map((s: any) => s.step)).toEqual(['BIRTH_REGISTRATION', 'PERSONAL_ID', 'PERMANENT_RESIDENCE', 'CHILD_HEALTH_INSURANCE']);
    expect(retrying.body.edges).toContainEqual({ from: 'PERSONAL_ID', to: 'CHILD_HEALTH_INSURANCE' });
    expect(step(retrying.body, 'BIRTH_REGISTRATION')).toMatchObject({ status: 'COMPLETED', undo: { state: 'AVAILABLE', compensation: 'CANCEL_BIRTH_REGISTRATION' } });

    await setAgencyFaults(stack.simulatorUrl, 'social-security', { outage: false });
    // The activity records COMPLETED a moment before Temporal hears it finished; the attempt leaves the
    // live list once Temporal closes it, and must not stay there.
    const done = await eventually(async () => {
      const { body } = await mapOf(intake.dossierNumber);
      const card = step(body, 'CHILD_HEALTH_INSURANCE');
      return card.status === 'COMPLETED' && card.attempts.live.length === 0 ? body : undefined;
    }, 60_000);
    expect(step(done, 'CHILD_HEALTH_INSURANCE').attempts.recorded).toBeGreaterThan(1);
  });

  it('answers from the database when Temporal is unreachable, saying the live data is unavailable', async () => {
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    await stack.untilEnded(intake.dossierNumber);
    // Nothing listens on a freshly freed port; no retry interceptor outlives the test.
    const unreachable = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] }), namespace: stack.config.TEMPORAL_NAMESPACE });
    const api: FastifyInstance = await buildApi({
      db: stack.db,
      temporal: unreachable,
      config: stack.config,
      logger: createLogger({ level: 'silent' }),
      calendar: createWorkingCalendar({ cutoffHour: stack.config.INTAKE_CUTOFF_HOUR }),
    });
    try {
      const apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
      const started = Date.now();
      const { status, body } = await mapOf(intake.dossierNumber, stack.tokens.clerk, apiUrl);
      expect(status).toBe(200);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(body.live).toMatchObject({ available: false, reason: 'TEMPORAL_UNREACHABLE' });
      expect(body.steps.every((s: any) => s.status === 'COMPLETED' && s.attempts.live.length === 0)).toBe(true);
    } finally {
      await api.close();
      await unreachable.connection.close();
    }
  });

  it('refuses the map to a principal of another jurisdiction, as the dossier page', async () => {
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    const refused = await mapOf(intake.dossierNumber, stack.tokens.otherProvinceOfficer);
    expect(refused.status).toBe(404);
    expect((await getJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}`, stack.tokens.otherProvinceOfficer)).status).toBe(404);
    expect((await mapOf(intake.dossierNumber, stack.tokens.provinceSupervisor)).status).toBe(200);
    expect((await mapOf('KHONG-CO-HO-SO-NAY')).status).toBe(404);
    expect((await getJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/map`)).status).toBe(401);
  });
});
