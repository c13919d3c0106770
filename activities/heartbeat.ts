import { Context } from '@temporalio/activity';

/**
 * Tells Temporal, while `work` runs, that this attempt is alive: a worker killed mid-call is then
 * noticed within the heartbeat timeout (seconds) rather than the whole start-to-close timeout.
 *
 * Cancellation is deliberately not acted on: an agency call under way finishes and reports its act,
 * which the workflow then compensates; aborting it could leave an act done but never recorded.
 * The first beat waits one interval, so a quick call costs no extra round trip.
 */
export async function whileAlive<T>(work: () => Promise<T>, everyMs = 1000): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
