import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/app';
import { devTokens } from '../../api/auth/dev-tokens';
import { createWorkingCalendar } from '../../domain/working-days';
import { loadConfig } from '../../runtime/config';
import { createDatabase, type Database } from '../../runtime/database';
import { createLogger } from '../../runtime/logger';
import { birthIntake } from '../support/fixtures';
import { freePort } from '../support/free-port';
import { getJson, postJson } from '../support/stack';

/** PostgreSQL unreachable: every route says so (503, Retry-After), and the probes tell live from ready. */
describe('API with PostgreSQL unreachable', () => {
  let api: FastifyInstance;
  let apiUrl: string;
  let db: Database;
  let temporal: Client;
  let tokens: Awaited<ReturnType<typeof devTokens>>;

  beforeAll(async () => {
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
    // Nothing listens on a freshly freed port.
    db = createDatabase(`postgresql://lien_thong:unused@127.0.0.1:${await freePort()}/lien_thong`, 2);
    temporal = new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS as string }), namespace: config.TEMPORAL_NAMESPACE });
    const calendar = createWorkingCalendar({ cutoffHour: config.INTAKE_CUTOFF_HOUR });
    api = await buildApi({ db, temporal, calendar, config, logger: createLogger({ level: 'silent' }) });
    apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
    tokens = await devTokens(config);
  });
  afterAll(async () => {
    await api.close();
    await temporal.connection.close();
    await db.$disconnect();
  });

  const expectUnavailable = (response: { status: number; body: any; headers: Headers }) => {
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 503, title: 'Database unavailable' });
  };

  it('answers a read 503 with Retry-After', async () => {
    const response = await fetch(`${apiUrl}/v1/dossiers/H79.26743-none`, { headers: { authorization: `Bearer ${tokens.clerk}` } });
    expectUnavailable({ status: response.status, body: await response.json(), headers: response.headers });
  });

  it('answers an intake 503 with Retry-After', async () => {
    expectUnavailable(await postJson(`${apiUrl}/v1/dossiers`, birthIntake(), tokens.clerk));
  });

  it('is live but not ready, naming the database', async () => {
    expect((await getJson(`${apiUrl}/health/live`)).status).toBe(200);
    expect((await getJson(`${apiUrl}/health`)).status).toBe(200);
    const ready = await getJson(`${apiUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body.dependencies).toEqual({ database: 'down', temporal: 'up' });
  });
});
