import type { Client } from '@temporalio/client';
import type { Principal } from '../domain/principal';
import type { StepCode } from '../domain/procedures';
import type { Database } from '../runtime/database';
import { resolveIncidentSignal, resolveIncidentUpdate, type IncidentDecision, type IncidentResolution } from '../workflows/contract';
import { audit, auditAll, type AuditRecord } from './audit';
import { recordSignals } from './signal-outbox';
import { updateDossierWorkflow } from './workflow-messages';

export interface OpenIncident {
  id: string;
  step: string;
  dossierNumber: string;
  workflowId: string;
}

export interface Decision {
  decision: IncidentDecision;
  reason: string;
}

const resolutionOf = (principal: Principal, incident: OpenIncident, { decision, reason }: Decision): IncidentResolution => ({
  step: incident.step as StepCode,
  incidentId: incident.id,
  decision,
  decidedBy: principal.subject,
  reason,
});

const auditOf = (incident: OpenIncident, { decision, reason }: Decision, requestKey: string | undefined, bulk: boolean): AuditRecord => ({
  requestKey,
  action: `incident.${decision.toLowerCase()}`,
  dossierNumber: incident.dossierNumber,
  detail: { step: incident.step, reason, ...(bulk ? { bulk: true } : {}) },
});

/**
 * A supervisor's decision on one open incident: an update the workflow's validator may refuse (a
 * 409), then audited under the request's message id, so a repeated request neither decides nor
 * records twice.
 */
export async function decideIncident(
  deps: { db: Database; temporal: Client },
  principal: Principal,
  incident: OpenIncident,
  decision: Decision,
  messageId: string | undefined,
): Promise<void> {
  await updateDossierWorkflow(deps.temporal, incident.workflowId, resolveIncidentUpdate, resolutionOf(principal, incident, decision), messageId);
  await audit(deps.db, principal, auditOf(incident, decision, messageId, false));
}

/**
 * A bulk decision: one signal per incident and its audit entry, recorded in one transaction and
 * delivered after the answer by the signal relay. The route read each incident as open a moment ago;
 * the workflow applies the signal only while that incident is still its step's open, undecided one,
 * so a decision made meanwhile, or a repeat, is dropped. Returns how many decisions were recorded.
 */
export async function recordBulkDecisions(
  db: Database,
  principal: Principal,
  incidents: OpenIncident[],
  decision: Decision,
  messageId: (incident: OpenIncident) => string | undefined,
): Promise<number> {
  return db.$transaction(async (tx) => {
    const recorded = await recordSignals(
      tx,
      incidents.map((incident) => ({
        workflowId: incident.workflowId,
        signal: resolveIncidentSignal,
        arg: resolutionOf(principal, incident, decision),
        messageKey: messageId(incident),
      })),
    );
    await auditAll(tx, principal, incidents.map((incident) => auditOf(incident, decision, messageId(incident), true)));
    return recorded;
  });
}
