import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

/**
 * An open-loop load: requests sent at a fixed arrival rate, whatever the server's latency, by autocannon.
 *
 * autocannon's `overallRate` gives each connection a share of the rate per second, and every
 * connection of one instance restarts at the same instant each second: the arrivals come as one burst
 * a second, and the slowest of a burst waits for the whole burst to be served. So the load is split
 * into `phases` instances of one connection each (by default one per request a second, at most 100),
 * started 1/phases of a second apart: arrivals evenly spaced. A connection waits for its answer before
 * its next request, so the load stays open as long as answers take under phases/rate seconds (1 s at
 * one request a second per phase); beyond that the achieved rate falls short of the target, which the
 * result reports. Latencies are collected here from each answer, not from autocannon's histogram, which
 * with a rate set corrects for coordinated omission at a 1 ms interval (it counts an answer of L ms L
 * times).
 */
export interface OpenLoopRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** A fresh body for each request. */
  body?: () => string;
}

export interface OpenLoopResult {
  label: string;
  target: number;
  seconds: number;
  /** Requests answered per second, from the first request sent to the last. */
  achieved: number;
  /** Latency of each 2xx answer, in ms, in the order answered. */
  latencies: number[];
  /** Answers other than 2xx, by status code. */
  non2xx: Record<string, number>;
  /** Connection errors and requests unanswered within the timeout. */
  errors: number;
  wallMs: number;
}

const maxPhases = 100;

export async function openLoop(options: {
  label: string;
  url: string;
  rate: number;
  seconds: number;
  request: OpenLoopRequest;
  signal: AbortSignal;
  timeoutSeconds?: number;
}): Promise<OpenLoopResult> {
  const { rate, seconds, request } = options;
  const phases = Math.min(rate, maxPhases);
  const latencies: number[] = [];
  const non2xx: Record<string, number> = {};
  let errors = 0;
  let firstSent = Number.POSITIVE_INFINITY;
  let lastSent = 0;
  const started = performance.now();
  const instances: autocannon.Instance[] = [];
  const stop = (): void => instances.forEach((instance) => instance.stop());
  options.signal.addEventListener('abort', stop, { once: true });

  const phase = (index: number): Promise<void> =>
    new Promise((done, fail) => {
      // This phase's share of the rate, as autocannon splits a rate over connections.
      const share = Math.floor(rate / phases) + (index < rate % phases ? 1 : 0);
      const instance = autocannon({
        url: options.url,
        connections: 1,
        overallRate: share,
        // A number of requests rather than a duration: the instance ends once the last is answered, so no slow answer is cut off.
        amount: share * seconds,
        timeout: options.timeoutSeconds ?? 10,
        ignoreCoordinatedOmission: true,
        requests: [
          {
            method: request.method,
            path: request.path,
            ...(request.headers ? { headers: request.headers } : {}),
            ...(request.body ? { setupRequest: (req) => ({ ...req, body: request.body!() }) } : {}),
          },
        ],
      }, (error, result) => {
        if (error) return fail(error as Error);
        // autocannon counts a timeout among the errors as well.
        errors += result.errors;
        done();
      });
      instances.push(instance);
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        const now = performance.now();
        firstSent = Math.min(firstSent, now - responseTime);
        lastSent = Math.max(lastSent, now - responseTime);
        if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
        else non2xx[statusCode] = (non2xx[statusCode] ?? 0) + 1;
      });
    });

  const running: Promise<void>[] = [];
  for (let index = 0; index < phases && !options.signal.aborted; index++) {
    running.push(phase(index));
    await new Promise((r) => setTimeout(r, 1000 / phases));
  }
  await Promise.all(running).finally(() => options.signal.removeEventListener('abort', stop));
  const answered = latencies.length + Object.values(non2xx).reduce((a, b) => a + b, 0);
  // The span of n evenly spaced arrivals is n - 1 intervals; one more interval makes it n / rate at the target.
  const spanMs = lastSent - firstSent + 1000 / rate;
  return { label: options.label, target: rate, seconds, achieved: answered / (spanMs / 1000), latencies, non2xx, errors, wallMs: performance.now() - started };
}
