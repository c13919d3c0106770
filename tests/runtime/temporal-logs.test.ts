import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../runtime/logger';
import { temporalSdkLogger } from '../../runtime/temporal-runtime';
import { startTemporalDevServer, type TemporalDevServer } from '../../runtime/temporal-dev-server';
import { projectRoot } from '../../runtime/tools';
import { freePort } from '../support/free-port';
import { eventually } from '../support/stack';

const parse = (line: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The worker process as deployed (production mode, only the settings it reads) on a Temporal server
 * of its own, which is then killed: the SDK core's logs come out as JSON lines through pino, each
 * repeated message once, never as the core's coloured console text.
 */
describe('a worker process during a Temporal outage', () => {
  let temporal: TemporalDevServer | undefined;
  afterAll(async () => {
    await temporal?.stop();
  });

  it('writes only JSON lines, the core warning once per message', async () => {
    temporal = await startTemporalDevServer({ port: await freePort() });
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'worker/main.ts')], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        DATABASE_URL: process.env.DATABASE_URL,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_TASK_QUEUE: `logs-${randomUUID()}`,
        AGENCY_BASE_URL: 'http://127.0.0.1:1',
        WORKER_METRICS_PORT: '0',
        TEMPORAL_SDK_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await eventually(async () => (stdout.includes('"worker running"') ? true : undefined), 90_000);
      await temporal.stop();
      temporal = undefined;
      // Long enough for the core to fail its polls many times over.
      await sleep(8_000);
    } finally {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }

    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    expect(lines.filter((line) => parse(line) === undefined)).toEqual([]);
    // ANSI colour codes and the core's console format nowhere, on either stream.
    expect(`${stdout}${stderr}`).not.toMatch(/\u001b\[/);
    expect(stderr.split('\n').filter((line) => line.trim() !== '' && parse(line) === undefined)).toEqual([]);

    const records = lines.map((line) => parse(line)!);
    const core = records.filter((record) => record.sdkComponent === 'core');
    expect(core.length).toBeGreaterThan(0);
    const messages = core.map((record) => `${String(record.level)} ${String(record.msg)}`);
    expect(new Set(messages).size).toBe(messages.length);
  }, 180_000);
});

describe('temporalSdkLogger', () => {
  it('writes a repeated message once per window, then with the count held back', () => {
    const written: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'trace' }, { write: (line: string) => written.push(JSON.parse(line) as Record<string, unknown>) });
    let clock = 0;
    const sdk = temporalSdkLogger(logger, 1_000, () => clock);
    for (let i = 0; i < 5; i++) {
      sdk.warn('Error when polling', { sdkComponent: 'core', spanContexts: ['internal'] });
      clock += 100;
    }
    sdk.error('Error when polling', { sdkComponent: 'core' });
    clock = 1_000;
    sdk.warn('Error when polling', { sdkComponent: 'core' });
    expect(written.map((r) => [r.level, r.msg, r.repeated])).toEqual([
      [40, 'Error when polling', undefined],
      [50, 'Error when polling', undefined],
      [40, 'Error when polling', 4],
    ]);
    expect(written[0]).not.toHaveProperty('spanContexts');
    expect(written[0]).toMatchObject({ sdkComponent: 'core' });
  });
});
