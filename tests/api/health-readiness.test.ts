import { createServer, type Server, type Socket } from 'node:net';
import Fastify from 'fastify';
import { healthRoutes } from '../../api/health';
import { createDatabase } from '../../runtime/database';
import { lazyTemporalClient } from '../../runtime/temporal';

/**
 * The readiness probe answers within its documented 2 s whatever the dependencies do: here a PostgreSQL
 * and a Temporal that accept connections and never answer (the slowest way to be down: nothing is
 * refused, every client waits), and a Temporal whose port refuses (its client retries on its own).
 */
describe('GET /health/ready with dependencies down', () => {
  const sockets = new Set<Socket>();
  let silent: Server;
  let silentAddress: string;
  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentAddress = `127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  async function ready(databaseUrl: string, temporalAddress: string): Promise<{ status: number; body: unknown; ms: number }> {
    const db = createDatabase(databaseUrl, 1);
    const temporal = lazyTemporalClient({ TEMPORAL_NAMESPACE: 'default' }, temporalAddress);
    const app = Fastify();
    await app.register(healthRoutes({ db, temporal }));
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const started = Date.now();
      const response = await fetch(`${url}/health/ready`);
      const body: unknown = await response.json();
      return { status: response.status, body, ms: Date.now() - started };
    } finally {
      // The silent server's connections end, so that the database client's pending connect fails and lets go.
      for (const socket of sockets) socket.destroy();
      await app.close();
      await db.$disconnect().catch(() => undefined);
      // An unreachable server's client keeps retrying past the probe's answer; closed under that retry, it
      // throws from its timer. It is left to the process's end.
      if (temporalAddress === process.env.TEMPORAL_ADDRESS) await temporal.connection.close();
    }
  }

  it('answers 503 in under 2 s naming both when PostgreSQL and Temporal never answer', async () => {
    const answer = await ready(`postgresql://u:p@${silentAddress}/db`, silentAddress);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: 'unavailable', dependencies: { database: 'down', temporal: 'down' } });
    expect(answer.ms).toBeLessThan(2_000);
  }, 20_000);

  it('names only Temporal when PostgreSQL answers and Temporal refuses connections', async () => {
    const answer = await ready(process.env.DATABASE_URL!, '127.0.0.1:1');
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ dependencies: { database: 'up', temporal: 'down' } });
    expect(answer.ms).toBeLessThan(2_000);
  }, 20_000);

  it('names only PostgreSQL when Temporal answers', async () => {
    const answer = await ready(`postgresql://u:p@${silentAddress}/db`, process.env.TEMPORAL_ADDRESS!);
    expect(answer.body).toMatchObject({ dependencies: { database: 'down', temporal: 'up' } });
    expect(answer.ms).toBeLessThan(2_000);
  }, 20_000);

  it('is ready when both answer', async () => {
    const answer = await ready(process.env.DATABASE_URL!, process.env.TEMPORAL_ADDRESS!);
    expect(answer).toMatchObject({ status: 200, body: { status: 'ready', dependencies: { database: 'up', temporal: 'up' } } });
  }, 20_000);
});
