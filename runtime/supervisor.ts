import { ChildProcess } from 'node:child_process';
import type { Logger } from './logger';

export interface SupervisorOptions {
  logger: Logger;
  /** First restart delay, doubled on each crash in a row up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A child that ran this long before crashing was stable: its next restart starts from the first delay. */
  stableAfterMs?: number;
  /** How long a stopping child gets after SIGTERM before SIGKILL (a server's own stop() decides for itself). */
  stopGraceMs?: number;
  /** Told of each crash (or failed restart, with its error) and the delay before the next start (for tests and metrics). */
  onCrash?: (crash: { service: string; code: number | null; signal: NodeJS.Signals | null; error?: string; restartInMs: number }) => void;
}

/**
 * What supervise() keeps running: a child process, or a server whose start resolves once it is ready
 * (the Temporal dev server, PostgreSQL) and which names its process and how to stop it.
 */
export type Supervisable = ChildProcess | { process: ChildProcess; stop(): Promise<void> };

export interface SupervisedProcess<T extends Supervisable = Supervisable> {
  /** The first start: rejected if it fails, and then nothing is restarted (a port taken, a tool missing). */
  started: Promise<T>;
  /** The running process's id; undefined between a crash and its restart. */
  readonly pid: number | undefined;
  /**
   * Restarts it no more, leaving it running until stop(). Ctrl-C reaches every process of the terminal
   * at once: a part exiting while the others are being stopped in order is not a crash.
   */
  release(): void;
  /** Stops the process (a child: SIGTERM, then SIGKILL after the grace) and restarts it no more. */
  stop(): Promise<void>;
}

interface Running {
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Keeps one process running: one that exits on its own, or whose restart fails, is started again
 * with exponential backoff (a crash loop does not spin the machine), logged each time; only stop()
 * ends it.
 */
export function supervise<T extends Supervisable>(name: string, start: () => T | Promise<T>, options: SupervisorOptions): SupervisedProcess<T> {
  const initial = options.initialBackoffMs ?? 1_000;
  const max = options.maxBackoffMs ?? 30_000;
  const stableAfter = options.stableAfterMs ?? 60_000;
  const grace = options.stopGraceMs ?? 15_000;
  let backoff = initial;
  let stopping = false;
  let running: Running | undefined;
  let restartTimer: NodeJS.Timeout | undefined;

  const crashed = (startedAt: number, exit: { code: number | null; signal: NodeJS.Signals | null; error?: string }): void => {
    if (Date.now() - startedAt >= stableAfter) backoff = initial;
    const restartInMs = backoff;
    backoff = Math.min(backoff * 2, max);
    options.logger.error({ service: name, ...exit, restartInMs }, 'service stopped unexpectedly; restarting');
    options.onCrash?.({ service: name, ...exit, restartInMs });
    restartTimer = setTimeout(() => (launching = relaunch()), restartInMs);
  };

  const launch = async (): Promise<T> => {
    const startedAt = Date.now();
    const instance = await start();
    const current = asRunning(instance, grace);
    if (stopping) {
      await current.stop();
      return instance;
    }
    running = current;
    options.logger.info({ service: name, pid: current.process.pid }, 'service started');
    whenExited(current.process, (code, signal) => {
      running = undefined;
      if (!stopping) crashed(startedAt, { code, signal });
    });
    return instance;
  };

  // Only the first start's failure is the caller's (nothing is restarted then); a failed restart is one more crash.
  const relaunch = async (): Promise<void> => {
    const startedAt = Date.now();
    try {
      await launch();
    } catch (error) {
      if (!stopping) crashed(startedAt, { code: null, signal: null, error: error instanceof Error ? error.message : String(error) });
    }
  };
  const started = launch();
  let launching: Promise<unknown> = started.catch(() => undefined);
  const release = (): void => {
    stopping = true;
    clearTimeout(restartTimer);
  };

  return {
    started,
    get pid() {
      return running?.process.pid;
    },
    release,
    stop: async () => {
      release();
      await launching;
      await running?.stop();
    },
  };
}

function asRunning(instance: Supervisable, graceMs: number): Running {
  return instance instanceof ChildProcess ? { process: instance, stop: () => stopChild(instance, graceMs) } : instance;
}

const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

/** Also when it exited before anyone listened (a server's start resolves a moment after its process runs). */
function whenExited(child: ChildProcess, then: (code: number | null, signal: NodeJS.Signals | null) => void): void {
  if (hasExited(child)) then(child.exitCode, child.signalCode);
  else child.once('exit', then);
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}
