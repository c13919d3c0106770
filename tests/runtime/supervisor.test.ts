import { spawn, type ChildProcess } from 'node:child_process';
import { createLogger } from '../../runtime/logger';
import { supervise, type SupervisorOptions } from '../../runtime/supervisor';
import { eventually } from '../support/stack';

/** A tiny node child: `crash` exits at once with code 3, `serve` runs until it is signalled. */
const node = (behaviour: 'crash' | 'serve'): ChildProcess =>
  spawn(process.execPath, ['-e', behaviour === 'crash' ? 'process.exit(3)' : 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });

const logger = createLogger({ level: 'silent' });

describe('process supervision', () => {
  it('restarts a crashing child with growing backoff, capped, and stops cleanly', async () => {
    const delays: number[] = [];
    const codes: (number | null)[] = [];
    let starts = 0;
    let fifthCrash!: () => void;
    const crashedFiveTimes = new Promise<void>((resolve) => (fifthCrash = resolve));
    const supervised = supervise(
      'crasher',
      () => {
        starts += 1;
        return node('crash');
      },
      {
        logger,
        initialBackoffMs: 20,
        maxBackoffMs: 100,
        onCrash: ({ code, restartInMs }) => {
          codes.push(code);
          delays.push(restartInMs);
          if (delays.length === 5) fifthCrash();
        },
      },
    );
    await crashedFiveTimes;
    await supervised.stop();
    const startsAtStop = starts;

    expect(codes.slice(0, 5)).toEqual([3, 3, 3, 3, 3]);
    expect(delays.slice(0, 5)).toEqual([20, 40, 80, 100, 100]);
    expect(startsAtStop).toBeGreaterThanOrEqual(5);
    // Stopped: no restart is pending (the next one would have come 100 ms after the last crash).
    await new Promise((r) => setTimeout(r, 300));
    expect(starts).toBe(startsAtStop);
  });

  it('starts again from the first delay after a stable run', async () => {
    const delays: number[] = [];
    let twoCrashes!: () => void;
    const crashedTwice = new Promise<void>((resolve) => (twoCrashes = resolve));
    const supervised = supervise('stable', () => node('crash'), {
      logger,
      initialBackoffMs: 20,
      // Every run counts as stable, so the backoff never grows.
      stableAfterMs: 0,
      onCrash: ({ restartInMs }) => {
        delays.push(restartInMs);
        if (delays.length === 2) twoCrashes();
      },
    });
    await crashedTwice;
    await supervised.stop();
    expect(delays.slice(0, 2)).toEqual([20, 20]);
  });

  it('stop() terminates a running child and does not restart it', async () => {
    const { supervised, seen } = serving();
    await new Promise((resolve) => seen.child.once('spawn', resolve));
    await supervised.stop();
    expect(seen.child.signalCode).toBe('SIGTERM');
    expect(seen.crashes).toBe(0);
  });

  it('supervises a server whose start is awaited: a failed restart is one more crash, and it is started again', async () => {
    // Started, crashed, failed to start once (its port still taken, say), then up again.
    const servers: ChildProcess[] = [];
    const crashes: Crash[] = [];
    let attempts = 0;
    const supervised = supervise(
      'server',
      async () => {
        attempts += 1;
        if (attempts === 2) throw new Error('port in use');
        const child = node('serve');
        servers.push(child);
        return { process: child, port: 4000, stop: async () => void child.kill('SIGINT') };
      },
      { logger, initialBackoffMs: 20, onCrash: (crash) => crashes.push(crash) },
    );
    expect((await supervised.started).port).toBe(4000);
    expect(supervised.pid).toBe(servers[0]!.pid);
    servers[0]!.kill('SIGKILL');
    // Restarted after the supervisor's delays (20 ms, then 40 ms after the failed start).
    await eventually(async () => (servers.length === 2 && supervised.pid === servers[1]!.pid ? true : undefined), 5_000);
    expect(crashes).toEqual([
      { service: 'server', code: null, signal: 'SIGKILL', restartInMs: 20 },
      { service: 'server', code: null, signal: null, error: 'port in use', restartInMs: 40 },
    ]);
    const stoppedBy = new Promise((resolve) => servers[1]!.once('exit', (_code, signal) => resolve(signal)));
    await supervised.stop();
    // Its own stop(), not the supervisor's SIGTERM.
    await expect(stoppedBy).resolves.toBe('SIGINT');
  });

  it('does not restart a server whose first start fails: the caller is told', async () => {
    let starts = 0;
    const supervised = supervise(
      'misconfigured',
      async (): Promise<ChildProcess> => {
        starts += 1;
        throw new Error('tool missing');
      },
      { logger, initialBackoffMs: 20 },
    );
    await expect(supervised.started).rejects.toThrow('tool missing');
    await supervised.stop();
    expect(starts).toBe(1);
  });

  it('release() lets a process exit without a restart (Ctrl-C reaches every process at once)', async () => {
    const { supervised, seen } = serving();
    await supervised.started;
    supervised.release();
    const exited = new Promise((resolve) => seen.child.once('exit', resolve));
    seen.child.kill('SIGINT');
    await exited;
    await supervised.stop();
    expect(seen.crashes).toBe(0);
    expect(supervised.pid).toBeUndefined();
  });
});

type Crash = Parameters<NonNullable<SupervisorOptions['onCrash']>>[0];

/** A supervised child that runs until signalled; the latest child and the crashes seen. */
function serving() {
  const seen = { child: undefined as unknown as ChildProcess, crashes: 0 };
  const supervised = supervise('server', () => (seen.child = node('serve')), { logger, initialBackoffMs: 20, onCrash: () => (seen.crashes += 1) });
  return { supervised, seen };
}
