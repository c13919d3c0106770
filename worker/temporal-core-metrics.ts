import type { MetricsExporterConfig } from '@temporalio/worker';
import type { Logger } from '../runtime/logger';

/**
 * The Temporal SDK core (Rust) exports its own metrics (task slots, poll and schedule-to-start
 * latencies, sticky cache, RPC errors) only from an HTTP server of its own. It listens on loopback,
 * and the worker's /metrics appends its text: one scrape target per worker, and the core's server is
 * never exposed beyond the host.
 */
export function coreMetricsAddress(port: number): string {
  return `127.0.0.1:${port}`;
}

/** For `Runtime.install({ telemetryOptions: { metrics } })`. Temporal's own metric names and units (milliseconds) are kept, so Temporal's SDK dashboards work unchanged. */
export function coreMetricsExporter(address: string): MetricsExporterConfig {
  return { prometheus: { bindAddress: address } };
}

/**
 * Reads the core's metrics text for the worker's /metrics. An unreadable core yields '' so the
 * worker's own metrics are still served; the failure is logged once until the core answers again.
 */
export function coreMetricsReader(address: string, logger: Logger, timeoutMs = 2_000): () => Promise<string> {
  const url = `http://${address}/metrics`;
  let failing = false;
  return async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const text = await response.text();
      if (failing) logger.info({ url }, 'Temporal core metrics readable again');
      failing = false;
      return text;
    } catch (error) {
      if (!failing) logger.warn({ url, err: (error as Error).message }, 'Temporal core metrics unreadable; serving the worker metrics alone');
      failing = true;
      return '';
    }
  };
}
