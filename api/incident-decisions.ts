import type { Client } from '@temporalio/client';
import type { Principal } from '../domain/principal';
import type { StepCode } from '../domain/procedures';
import type { Database } from '../runtime/database';
import { resolveIncidentUpdate } from '../workflows/contract';
import { audit } from './audit';
import { updateDossierWorkflow } from './workflow-messages';

export type IncidentDecision = 'RETRY' | 'SKIP' | 'CANCEL_GROUP';

/**
 * A supervisor's decision on one open incident, alone or as part of a bulk decision: handed to the
 * dossier's workflow (whose validator may refuse it: a 409), then audited under the same message id,
 * so a repeated request neither decides nor records twice.
 */
export async function decideIncident(
  deps: { db: Database; temporal: Client },
  principal: Principal,
  incident: { id: string; step: string; dossierNumber: string; workflowId: string },
  decision: { decision: IncidentDecision; reason: string; bulk?: boolean },
  messageId: string | undefined,
): Promise<void> {
  const { id, step, dossierNumber, workflowId } = incident;
  await updateDossierWorkflow(
    deps.temporal,
    workflowId,
    resolveIncidentUpdate,
    { step: step as StepCode, incidentId: id, decision: decision.decision, decidedBy: principal.subject, reason: decision.reason },
    messageId,
  );
  await audit(deps.db, principal, {
    requestKey: messageId,
    action: `incident.${decision.decision.toLowerCase()}`,
    dossierNumber,
    detail: { step, reason: decision.reason, ...(decision.bulk ? { bulk: true } : {}) },
  });
}
