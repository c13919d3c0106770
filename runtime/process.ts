/** Resolves on SIGINT/SIGTERM after running the shutdown hook, so each process stops cleanly. */
export function runUntilSignal(shutdown: () => Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      void shutdown().finally(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
