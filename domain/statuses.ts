/**
 * The statuses of dossiers, their steps and the agencies' tasks, and the sets of them the rules speak
 * of: the one vocabulary the workflow, the activities, the API and the console derive theirs from.
 * The database spells them too (the enums of prisma/schema.prisma, the supervision triggers' SQL);
 * tests/integration/status-vocabulary.test.ts holds those to these lists.
 *
 * Imported by workflows: keep this module deterministic (no I/O, no clock, no Node APIs).
 */

// ── Steps ────────────────────────────────────────────────────────────────────────────────────────

/** Every status of a dossier's step, as the workflow tracks it and the read model keeps it. */
export const stepStatuses = [
  'PENDING',
  'RUNNING',
  'WAITING_FOR_SUPPLEMENT',
  'INCIDENT',
  'COMPLETED',
  'REFUSED',
  'BLOCKED',
  'SKIPPED',
  'CANCELLED',
  'COMPENSATED',
  'COMPENSATION_SKIPPED',
] as const;
export type StepStatus = (typeof stepStatuses)[number];

/** How a step's branch ends, before any compensation. */
export const stepOutcomeStatuses = ['COMPLETED', 'REFUSED', 'BLOCKED', 'SKIPPED', 'CANCELLED'] as const satisfies readonly StepStatus[];
export type StepOutcomeStatus = (typeof stepOutcomeStatuses)[number];

/**
 * Started, its answer still owed: by the agency, or by a supervisor deciding an incident in its place.
 * What a step's deadline runs against (a step waiting for the citizen is not the agency's delay).
 */
export const answerOwedStepStatuses = ['RUNNING', 'INCIDENT'] as const satisfies readonly StepStatus[];

/** Waiting for an answer of its current round: not started yet, or owed. */
export const awaitingAnswerStepStatuses = ['PENDING', ...answerOwedStepStatuses] as const;

/**
 * Open: an agency, the citizen (a supplement) or a supervisor (an incident) owes something now. The
 * supervisors' views, the `CurrentStep` search attribute and the escalations all count these.
 */
export const openStepStatuses = ['RUNNING', 'WAITING_FOR_SUPPLEMENT', 'INCIDENT'] as const satisfies readonly StepStatus[];
export type OpenStepStatus = (typeof openStepStatuses)[number];

/** Not finished: open, or not started yet. What a group that ends early cancels. */
export const unfinishedStepStatuses = ['PENDING', ...openStepStatuses] as const;

// ── Dossiers ─────────────────────────────────────────────────────────────────────────────────────

/** How a procedure group ends: the dossier's status once its workflow is over. */
export const groupOutcomeStatuses = ['COMPLETED', 'PARTIALLY_COMPLETED', 'REFUSED', 'WITHDRAWN', 'CANCELLED'] as const;
export type GroupOutcomeStatus = (typeof groupOutcomeStatuses)[number];

/** A dossier whose group has not ended: received (no step started yet), or in progress. */
export const runningDossierStatuses = ['RECEIVED', 'IN_PROGRESS'] as const;

/** Every status of a dossier: running, then ended. */
export const dossierStatuses = [...runningDossierStatuses, ...groupOutcomeStatuses] as const;
export type DossierStatus = (typeof dossierStatuses)[number];

/** Ended with results: what the supervisors' dashboard counts as completed. */
export const completedDossierStatuses = ['COMPLETED', 'PARTIALLY_COMPLETED'] as const satisfies readonly GroupOutcomeStatus[];

// ── Agencies' tasks ──────────────────────────────────────────────────────────────────────────────

/** ACT: do the step's act. UNDO: undo the act an officer did, the group having been stopped. */
export const taskKinds = ['ACT', 'UNDO'] as const;
export type TaskKind = (typeof taskKinds)[number];

export const taskStatuses = ['OPEN', 'CLAIMED', 'DONE', 'CANCELLED'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** Still to be decided: in the inbox, or held by an officer. */
export const openTaskStatuses = ['OPEN', 'CLAIMED'] as const satisfies readonly TaskStatus[];

/** Whether `value` is one of `statuses`: narrows a status read as a string, or one of a wider set. */
export function isOneOf<S extends string>(statuses: readonly S[], value: string): value is S {
  return (statuses as readonly string[]).includes(value);
}
