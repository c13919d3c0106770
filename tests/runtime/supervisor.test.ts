import { spawn, type ChildProcess } from 'node:child_process';
import { createLogger } from '../../runtime/logger';
import { supervise } from '../../runtime/supervisor';

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
    let child!: ChildProcess;
    let crashes = 0;
    const supervised = supervise(
      'server',
      () => {
        child = node('serve');
        return child;
      },
      { logger, initialBackoffMs: 20, onCrash: () => (crashes += 1) },
    );
    await new Promise((resolve) => child.once('spawn', resolve));
    await supervised.stop();
    expect(child.signalCode).toBe('SIGTERM');
    expect(crashes).toBe(0);
  });
});
