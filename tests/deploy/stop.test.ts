import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../../runtime/free-port';
import { projectRoot } from '../../runtime/tools';
import { eventually } from '../support/stack';

/**
 * Kubernetes stops a pod at every rollout and scale-down with a SIGTERM to the container's process,
 * and kills it after the grace period. Started with the manifests' commands (the README's too), the
 * API and the worker must take that signal themselves: stop, close their ports, exit 0.
 */
function manifestCommand(file: string): string[] {
  const docs = parseAllDocuments(readFileSync(join(projectRoot, 'deploy', 'kubernetes', file), 'utf8')).map((doc) => doc.toJS());
  return docs.find((doc) => doc.kind === 'Deployment').spec.template.spec.containers[0].command;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(command: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(command[0]!, command.slice(1), { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return { child, output: () => output, exited };
}

const refused = (port: number): Promise<string> =>
  new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });

describe('SIGTERM to the API and the worker started as the manifests start them', () => {
  const started: Started[] = [];
  afterAll(() => {
    for (const { child } of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('stops both within seconds, exit status 0, their ports closed', async () => {
    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    const taskQueue = `stop-${randomUUID()}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: 'warn',
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      WORKER_METRICS_HOST: '127.0.0.1',
      WORKER_METRICS_PORT: String(metricsPort),
      TEMPORAL_SDK_METRICS_PORT: '0',
      TEMPORAL_TASK_QUEUE: taskQueue,
      // Required to start; no dossier is filed, so nothing is ever sent there.
      AGENCY_BASE_URL: 'http://127.0.0.1:9',
    };
    const api = start(manifestCommand('api.yaml'), env);
    const worker = start(manifestCommand('worker.yaml'), env);
    started.push(api, worker);
    const alive = (what: Started) => {
      if (what.child.exitCode !== null) throw new Error(`exited at start:\n${what.output()}`);
    };

    await eventually(async () => {
      alive(api);
      return (await fetch(`http://127.0.0.1:${apiPort}/health/live`).catch(() => undefined))?.ok || undefined;
    }, 60_000);
    // The worker is stopped while it polls, as in a rollout: its task queue has a poller.
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    try {
      await eventually(async () => {
        alive(worker);
        const { pollers } = await connection.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return pollers && pollers.length > 0 ? true : undefined;
      }, 90_000);
    } finally {
      await connection.close();
    }
    expect(await refused(apiPort)).toBe('connected');
    expect(await refused(metricsPort)).toBe('connected');

    const sentAt = Date.now();
    for (const { child } of [api, worker]) child.kill('SIGTERM');
    const timeout = new Promise<'still running'>((done) => setTimeout(() => done('still running'), 20_000).unref());
    const [apiExit, workerExit] = await Promise.all([Promise.race([api.exited, timeout]), Promise.race([worker.exited, timeout])]);
    const took = Date.now() - sentAt;
    expect({ api: apiExit, worker: workerExit }).toEqual({ api: { code: 0, signal: null }, worker: { code: 0, signal: null } });
    expect(took).toBeLessThan(20_000);
    expect(await refused(apiPort)).toBe('ECONNREFUSED');
    expect(await refused(metricsPort)).toBe('ECONNREFUSED');
  }, 180_000);
});
