import type { Client } from '@temporalio/client';
import type { Principal } from '../domain/principal';
import type { StepCode } from '../domain/procedures';
import type { Database } from '../runtime/database';
import { resolveIncidentSignal, resolveIncidentUpdate, type IncidentDecision, type IncidentResolution } from '../workflows/contract';
import { audit } from './audit';
import { signalDossierWorkflow, updateDossierWorkflow } from './workflow-messages';

/**
 * A supervisor's decision on one open incident, alone or as part of a bulk decision, then audited
 * under the request's message id, so a repeated request neither decides nor records twice. Alone, it
 * is an update the workflow's validator may refuse (a 409). In bulk, it is a signal: the bulk route
 * read the incident as open a moment ago, and a thousand of them are answered in seconds instead of
 * waiting for a workflow task each; the workflow drops one it finds decided meanwhile.
 */
export async function decideIncident(
  deps: { db: Database; temporal: Client },
  principal: Principal,
  incident: { id: string; step: string; dossierNumber: string; workflowId: string },
  decision: { decision: IncidentDecision; reason: string; bulk?: boolean },
  messageId: string | undefined,
): Promise<void> {
  const { id, step, dossierNumber, workflowId } = incident;
  const resolution: IncidentResolution = { step: step as StepCode, incidentId: id, decision: decision.decision, decidedBy: principal.subject, reason: decision.reason };
  if (decision.bulk) await signalDossierWorkflow(deps.temporal, workflowId, resolveIncidentSignal, resolution);
  else await updateDossierWorkflow(deps.temporal, workflowId, resolveIncidentUpdate, resolution, messageId);
  await audit(deps.db, principal, {
    requestKey: messageId,
    action: `incident.${decision.decision.toLowerCase()}`,
    dossierNumber,
    detail: { step, reason: decision.reason, ...(decision.bulk ? { bulk: true } : {}) },
  });
}
