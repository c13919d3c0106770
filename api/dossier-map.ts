import { z } from 'zod';
import { compensationCodes, groupDefinition, procedureGroups, stepCodes, type ProcedureGroup, type StepCode } from '../domain/procedures';
import { dossierStatuses, isOneOf, openTaskStatuses, stepStatuses, taskKinds, taskStatuses, type StepStatus } from '../domain/statuses';
import { stepModes } from '../domain/step-modes';
import { incidentKinds } from '../workflows/contract';
import type { Database } from '../runtime/database';
import { liveActivitySchema, type LiveActivities, type LiveActivity } from './pending-activities';
import { iso, timestamp } from './schemas';

/**
 * A dossier's map: its group's steps as the definition draws them (each with what it waits for),
 * coloured by the read model's statuses, with incidents, tasks in an inbox, undo and, where Temporal
 * answers, the attempts under way. Built from the database first: without Temporal it still answers.
 */

/** Where a step's undo stands: nothing to undo, possible should the group stop, under way, failed, done, given up. */
export const undoStates = ['NOT_APPLICABLE', 'AVAILABLE', 'IN_PROGRESS', 'FAILED', 'DONE', 'SKIPPED'] as const;
export type UndoState = (typeof undoStates)[number];

/** Why the live retry data is missing: Temporal out of reach, the workflow gone or not started yet. */
export const liveUnavailableReasons = ['TEMPORAL_UNREACHABLE', 'WORKFLOW_NOT_FOUND', 'WORKFLOW_NOT_STARTED'] as const;

const mapIncidentSchema = z.object({
  id: z.string(),
  kind: z.enum(incidentKinds),
  /** SUPERSEDED: closed by a later incident of the same step. */
  status: z.enum(['OPEN', 'RESOLVED', 'SUPERSEDED']),
  lastError: z.string(),
  openedAt: z.iso.datetime(),
  resolvedAt: timestamp,
  decision: z.string().nullable(),
});

export const mapStepSchema = z.object({
  step: z.enum(stepCodes),
  title: z.string(),
  /** Null for a step routed by the intake's data that this dossier does not run. */
  agency: z.string().nullable(),
  optional: z.boolean(),
  /** Part of this dossier: mandatory, or chosen by the citizen. */
  chosen: z.boolean(),
  dependsOn: z.array(z.enum(stepCodes)),
  /** Null when not chosen. */
  status: z.enum(stepStatuses).nullable(),
  mode: z.enum(stepModes).nullable(),
  /** The step's task still in its agency's inbox (MANUAL steps). */
  openTask: z.object({ kind: z.enum(taskKinds), status: z.enum(taskStatuses), claimedBy: z.string().nullable(), dueAt: z.iso.datetime() }).nullable(),
  /** Every incident of the step, oldest first; at most one OPEN. */
  incidents: z.array(mapIncidentSchema),
  undo: z.object({
    compensation: z.enum(compensationCodes).nullable(),
    state: z.enum(undoStates),
    at: timestamp,
    reference: z.string().nullable(),
  }),
  attempts: z.object({
    /** Calls to the agency recorded for the step (all rounds). */
    recorded: z.number().int(),
    lastError: z.string().nullable(),
    startedAt: timestamp,
    finishedAt: timestamp,
    /** The step's activities under way in Temporal; empty when none (or live data unavailable). */
    live: z.array(liveActivitySchema),
  }),
});

export const dossierMapSchema = z.object({
  dossierNumber: z.string(),
  procedureGroup: z.enum(procedureGroups),
  definitionVersion: z.number().int(),
  groupTitle: z.string(),
  status: z.enum(dossierStatuses),
  live: z.object({
    available: z.boolean().describe("Whether the attempts under way come from Temporal now; false: the database's record only"),
    reason: z.enum(liveUnavailableReasons).nullable(),
    checkedAt: z.iso.datetime(),
  }),
  steps: z.array(mapStepSchema),
  /** Dependencies as drawn: `to` starts once `from` has completed. */
  edges: z.array(z.object({ from: z.enum(stepCodes), to: z.enum(stepCodes) })),
});
export type DossierMapView = z.infer<typeof dossierMapSchema>;
export type MapStepView = z.infer<typeof mapStepSchema>;

interface UndoFacts {
  status: StepStatus | null;
  hasCompensation: boolean;
  openIncidentKind: string | undefined;
  undoTaskOpen: boolean;
  live: LiveActivity[];
}

/** The undo's state from the step's status first (what was recorded), then what is under way. */
export function undoStateOf({ status, hasCompensation, openIncidentKind, undoTaskOpen, live }: UndoFacts): UndoState {
  if (status === 'COMPENSATED') return 'DONE';
  if (status === 'COMPENSATION_SKIPPED') return 'SKIPPED';
  if (!hasCompensation) return 'NOT_APPLICABLE';
  if (openIncidentKind === 'COMPENSATION') return 'FAILED';
  if (undoTaskOpen || live.some((a) => a.kind === 'AGENCY_UNDO' || a.activityType === 'openUndoTask' || a.activityType === 'compensateManualStep')) return 'IN_PROGRESS';
  return status === 'COMPLETED' ? 'AVAILABLE' : 'NOT_APPLICABLE';
}

/** The map of a dossier that exists (the caller checked access); null if it vanished meanwhile. */
export async function readDossierMap(db: Database, dossierNumber: string, live: LiveActivities | { available: false; reason: 'WORKFLOW_NOT_STARTED' }): Promise<DossierMapView | null> {
  const dossier = await db.dossier.findUnique({
    where: { dossierNumber },
    include: {
      steps: true,
      tasks: { where: { status: { in: [...openTaskStatuses] } }, orderBy: [{ round: 'desc' }, { createdAt: 'desc' }] },
      incidents: { orderBy: { openedAt: 'asc' } },
    },
  });
  if (!dossier) return null;
  const group = dossier.procedureGroup as ProcedureGroup;
  const definition = groupDefinition(group, dossier.definitionVersion);
  const liveOf = (step: StepCode) => (live.available ? (live.byStep.get(step) ?? []) : []);

  const steps = definition.steps.map((definitionStep): MapStepView => {
    const row = dossier.steps.find((s) => s.step === definitionStep.code);
    const task = dossier.tasks.find((t) => t.step === definitionStep.code);
    const incidents = dossier.incidents.filter((i) => i.step === definitionStep.code);
    const openIncident = incidents.find((i) => i.status === 'OPEN');
    const status = row && isOneOf(stepStatuses, row.status) ? row.status : null;
    const activities = liveOf(definitionStep.code);
    return {
      step: definitionStep.code,
      title: definitionStep.title,
      agency: row?.agency ?? (typeof definitionStep.agency === 'string' ? definitionStep.agency : null),
      optional: definitionStep.optional,
      chosen: row !== undefined,
      dependsOn: [...definitionStep.dependsOn],
      status,
      mode: row?.mode ?? null,
      openTask: task ? { kind: task.kind, status: task.status, claimedBy: task.claimedBy, dueAt: task.dueAt.toISOString() } : null,
      incidents: incidents.map((i) => ({
        id: i.id,
        kind: i.kind,
        status: i.status,
        lastError: i.lastError,
        openedAt: i.openedAt.toISOString(),
        resolvedAt: iso(i.resolvedAt),
        decision: i.decision,
      })),
      undo: {
        compensation: definitionStep.compensation ?? null,
        state: undoStateOf({
          status,
          hasCompensation: definitionStep.compensation !== undefined,
          openIncidentKind: openIncident?.kind,
          undoTaskOpen: task?.kind === 'UNDO',
          live: activities,
        }),
        at: iso(row?.compensatedAt ?? null),
        reference: (row?.compensation as { reference?: string } | null | undefined)?.reference ?? null,
      },
      attempts: {
        recorded: row?.attempts ?? 0,
        lastError: row?.lastError ?? null,
        startedAt: iso(row?.startedAt ?? null),
        finishedAt: iso(row?.finishedAt ?? null),
        live: activities,
      },
    };
  });

  return {
    dossierNumber: dossier.dossierNumber,
    procedureGroup: group,
    definitionVersion: definition.version,
    groupTitle: definition.title,
    status: dossier.status,
    live: { available: live.available, reason: live.available ? null : live.reason, checkedAt: new Date().toISOString() },
    steps,
    edges: definition.steps.flatMap((s) => s.dependsOn.map((from) => ({ from, to: s.code }))),
  };
}
