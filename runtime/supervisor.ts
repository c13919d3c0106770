import type { ChildProcess } from 'node:child_process';
import type { Logger } from './logger';

export interface SupervisorOptions {
  logger: Logger;
  /** First restart delay, doubled on each crash in a row up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A child that ran this long before crashing was stable: its next restart starts from the first delay. */
  stableAfterMs?: number;
  /** How long a stopping child gets after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** Told of each crash and the delay before the restart (for tests and metrics). */
  onCrash?: (crash: { code: number | null; signal: NodeJS.Signals | null; restartInMs: number }) => void;
}

export interface SupervisedProcess {
  /** Stops the child (SIGTERM, then SIGKILL after the grace) and restarts it no more. */
  stop(): Promise<void>;
}

/**
 * Keeps one child process running: a child that exits on its own is restarted with exponential
 * backoff (a crash loop does not spin the machine), logged each time; only stop() ends it.
 */
export function supervise(name: string, start: () => ChildProcess, options: SupervisorOptions): SupervisedProcess {
  const initial = options.initialBackoffMs ?? 1_000;
  const max = options.maxBackoffMs ?? 30_000;
  const stableAfter = options.stableAfterMs ?? 60_000;
  let backoff = initial;
  let stopping = false;
  let child: ChildProcess;
  let restartTimer: NodeJS.Timeout | undefined;

  const run = (): void => {
    const startedAt = Date.now();
    child = start();
    child.once('exit', (code, signal) => {
      if (stopping) return;
      if (Date.now() - startedAt >= stableAfter) backoff = initial;
      const restartInMs = backoff;
      backoff = Math.min(backoff * 2, max);
      options.logger.error({ service: name, code, signal, restartInMs }, 'service stopped unexpectedly; restarting');
      options.onCrash?.({ code, signal, restartInMs });
      restartTimer = setTimeout(run, restartInMs);
    });
  };
  run();

  return {
    stop: async () => {
      stopping = true;
      clearTimeout(restartTimer);
      await stopChild(child, options.stopGraceMs ?? 15_000);
    },
  };
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}
