/** A background job (an API instance's relays, the worker's notification relay): runs every `intervalMs`, and at once when woken. */
export interface PeriodicJob {
  /** Runs the job now (or right after the run in progress, which may have missed the news). */
  wake(): void;
  /** Stops the timer and waits for the run in progress. */
  stop(): Promise<void>;
}

/** Runs `task` every `intervalMs` until stopped, never two runs at once; a failed run is reported and the next tick tries again. */
export function runPeriodically(task: () => Promise<unknown>, intervalMs: number, onError: (error: Error) => void): PeriodicJob {
  let running: Promise<unknown> | undefined;
  let again = false;
  let stopped = false;
  const run = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = task()
      .catch((error: unknown) => onError(error as Error))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  // A tick that finds a run in progress is skipped: only a wake-up may have news the run missed.
  const timer = setInterval(() => running || run(), intervalMs);
  timer.unref();
  return {
    wake: run,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      // A run woken while one was in progress starts from the first one's `finally`: wait for both.
      while (running) await running;
    },
  };
}
