import type { Client } from '@temporalio/client';
import type { AgencyGateway } from './agency-gateway';
import { createAppointmentActivities } from './appointment-changes';
import { createBookkeepingActivities } from './bookkeeping';
import { createEscalationActivities } from './escalation';
import { createManualStepActivities } from './manual-steps';
import { createNoticeActivities } from './notices';
import { createStepActivities } from './steps';
import type { Database } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import type { WorkerMetrics } from '../runtime/metrics';
import type { WorkingCalendar } from '../domain/working-days';

export interface ActivityDependencies {
  db: Database;
  agencies: AgencyGateway;
  calendar: WorkingCalendar;
  logger: Logger;
  metrics: WorkerMetrics;
  /**
   * Where escalations of overdue dossiers are announced, and how many tries each gets before it is
   * given up; none configured, they are only recorded.
   */
  escalationWebhook?: { url: string; timeoutMs: number; maxAttempts: number };
  /** To tell a dossier's workflow it is overdue (the deadline sweep). */
  temporal?: Client;
}

export type { StepRef } from './steps';
export type DossierActivities = ReturnType<typeof createActivities>;

/**
 * Activities built from their clients, so tests hand in fakes and the worker the real ones.
 * Every write keeps the read model (what the API serves) in step with the workflow.
 */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createStepActivities(deps),
    ...createManualStepActivities(deps),
    ...createBookkeepingActivities(deps),
    ...createEscalationActivities(deps),
    ...createNoticeActivities(deps),
    ...createAppointmentActivities(deps),
  };
}
