import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime, makeTelemetryFilterString, type MetricsExporterConfig } from '@temporalio/worker';
import type { Logger } from './logger';

/**
 * How long a repeated message is held back: during an outage the SDK core logs the same poll failure
 * every few hundred milliseconds; one line per message and window, with the count held back, says as much.
 */
export const REPEAT_WINDOW_MS = 30_000;

const pinoLevel = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, string>;

/**
 * The SDK's logger (its TypeScript side, and the Rust core's forwarded lines) on our pino logger: JSON
 * lines like every other of the process, personal fields redacted by it. A message logged again within
 * `windowMs` of its last line is counted, not written; the next line written for it carries `repeated`,
 * how many were held back.
 */
export function temporalSdkLogger(logger: Logger, windowMs = REPEAT_WINDOW_MS, now: () => number = Date.now): TemporalLogger {
  const lastWritten = new Map<string, { at: number; heldBack: number }>();
  const log = (level: LogLevel, message: string, meta: LogMetadata = {}): void => {
    const key = `${level} ${message}`;
    const time = now();
    const last = lastWritten.get(key);
    if (last && time - last.at < windowMs) {
      last.heldBack++;
      return;
    }
    if (lastWritten.size > 1_000) for (const [k, v] of lastWritten) if (time - v.at >= windowMs) lastWritten.delete(k);
    lastWritten.set(key, { at: time, heldBack: 0 });
    // The core's span contexts are its tracing internals: long, and of no use to an operator.
    const { spanContexts: _spanContexts, ...fields } = meta;
    logger[pinoLevel[level]]({ ...fields, ...(last?.heldBack ? { repeated: last.heldBack } : {}) }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/**
 * Installs the Temporal runtime of a process that runs the SDK core (the worker): the core's logs are
 * forwarded to pino instead of printed as coloured text on the console, from `coreLevel` up (its
 * dependencies' from ERROR). Once per process, before any native connection.
 */
export function installTemporalRuntime(logger: Logger, options: { coreLevel?: LogLevel; metrics?: MetricsExporterConfig } = {}): Runtime {
  return Runtime.install({
    logger: temporalSdkLogger(logger),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: options.coreLevel ?? 'WARN', other: 'ERROR' }), forward: {} },
      ...(options.metrics ? { metrics: options.metrics } : {}),
    },
  });
}
