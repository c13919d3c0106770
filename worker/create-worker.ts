import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import { createHttpAgencyGateway } from '../activities/agency-gateway';
import { createWorkingCalendar } from '../domain/working-days';
import { requireSetting, type Settings } from '../runtime/config';
import type { Database } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import type { WorkerMetrics } from '../runtime/metrics';
import type { PeriodicJob } from '../runtime/periodic';
import { createHttpNotificationGateway } from './notification-gateway';
import { runNotificationRelay } from './notification-relay';

export const workflowsPath = require.resolve('../workflows');

/** A worker for the dossier task queue, its activities bound to the given clients. */
export async function createDossierWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ActivityDependencies;
  workflowBundle?: WorkerOptions['workflowBundle'];
}): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: createActivities(options.activities),
  });
}

/**
 * What the activities work with, as the configuration says: the agencies behind AGENCY_BASE_URL, the
 * working calendar, and the escalation webhook when one is set. The worker process, the tests' stack
 * and the benchmark build them here alike.
 */
export function configuredActivities(
  config: Settings<'agencies' | 'procedures'>,
  clients: { db: Database; logger: Logger; metrics: WorkerMetrics; temporal?: Client },
): ActivityDependencies {
  return {
    ...clients,
    calendar: createWorkingCalendar({ cutoffHour: config.INTAKE_CUTOFF_HOUR }),
    ...(config.ESCALATION_WEBHOOK_URL
      ? { escalationWebhook: { url: config.ESCALATION_WEBHOOK_URL, timeoutMs: config.AGENCY_TIMEOUT_MS, maxAttempts: config.ESCALATION_MAX_ATTEMPTS } }
      : {}),
    agencies: createHttpAgencyGateway({ baseUrl: requireSetting(config, 'AGENCY_BASE_URL'), timeoutMs: config.AGENCY_TIMEOUT_MS }),
  };
}

/** The relay of announcements to NOTIFICATION_GATEWAY_URL; none when it is unset (they are recorded only). */
export function configuredNotificationRelay(config: Settings<'agencies'>, deps: { db: Database; logger: Logger }, intervalMs?: number): PeriodicJob | undefined {
  if (!config.NOTIFICATION_GATEWAY_URL) return undefined;
  return runNotificationRelay(
    { ...deps, gateway: createHttpNotificationGateway({ url: config.NOTIFICATION_GATEWAY_URL, timeoutMs: config.AGENCY_TIMEOUT_MS }) },
    {
      maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS,
      retryInitialMs: config.NOTIFICATION_RETRY_INITIAL_MS,
      retryMaxMs: config.NOTIFICATION_RETRY_MAX_MS,
      ...(intervalMs === undefined ? {} : { intervalMs }),
    },
  );
}
