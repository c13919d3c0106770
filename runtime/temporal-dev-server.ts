import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { searchAttributeRegistrations } from '../workflows/contract';
import { temporalCliPath } from './tools';

export interface TemporalDevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Runs the official Temporal CLI dev server (a real Temporal server with SQLite persistence and the
 * Web UI), with the dossier search attributes registered. With `dbFile`, workflows survive a restart.
 */
export interface DevServerOptions {
  port: number;
  uiPort?: number;
  dbFile?: string;
  namespace?: string;
}

/**
 * The CLI picks free ports for its internal services when it starts and binds them a moment later, so
 * another process on the machine can take one in between: the server then exits at once. Starting
 * again picks other ports.
 */
export async function startTemporalDevServer(options: DevServerOptions): Promise<TemporalDevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortRaceError)) throw error;
    }
  }
}

class PortRaceError extends Error {}

async function launch(options: DevServerOptions): Promise<TemporalDevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'error'];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  for (const { name, type } of searchAttributeRegistrations) args.push('--search-attribute', `${name}=${type}`);
  // Many workflows per dossier group start together in benchmarks and bulk actions.
  args.push('--dynamic-config-value', 'frontend.namespaceRPS=10000', '--dynamic-config-value', 'frontend.rps=10000');
  // A workflow whose code keeps failing its workflow tasks gets TemporalReportedProblems set, so
  // supervisors can find it instead of it retrying unseen.
  args.push('--dynamic-config-value', 'system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute=2');
  // One partition per task queue: on a single-node server partitions only add forwarding, and a task
  // spooled to a partition no poller happens to be long-polling waited up to 30 s (seen under load).
  args.push('--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1', '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1');

  const child = spawn(temporalCliPath(), args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The server is our child, not a daemon: never leave it running when this process ends abruptly.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  const address = `127.0.0.1:${options.port}`;

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      const message = `Temporal dev server exited (${child.exitCode}): ${stderr}`;
      throw stderr.includes('address already in use') ? new PortRaceError(message) : new Error(message);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Temporal dev server not ready on ${address}: ${(error as Error).message} ${stderr}`);
      }
      await sleep(250);
    }
  }
  return {
    address,
    ...(options.uiPort ? { uiUrl: `http://127.0.0.1:${options.uiPort}` } : {}),
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
