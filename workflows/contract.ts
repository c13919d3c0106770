import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ProcedureGroup, StepCode } from '../domain/procedures';
import type { GroupOutcomeStatus, StepOutcomeStatus, StepStatus, TaskKind } from '../domain/statuses';
import type { StepMode } from '../domain/step-modes';

export type { GroupOutcomeStatus, StepMode, StepOutcomeStatus, StepStatus, TaskKind };

/**
 * Names and types shared by the API (client), the worker and the workflows: the one source of truth
 * for how a dossier's workflow is started, identified, queried, told things and listed.
 */
export const workflowTypes = { procedureGroup: 'procedureGroupWorkflow', deadlineSweep: 'deadlineSweepWorkflow', lifeEventNotice: 'lifeEventNoticeWorkflow' } as const;

/** The schedule that runs the deadline sweep. */
export const deadlineSweepScheduleId = 'deadline-sweep';

/** One workflow per dossier: the dossier number is the idempotency key of the intake. */
export function workflowIdFor(dossierNumber: string): string {
  return `dossier-${dossierNumber}`;
}

export const searchAttributes = {
  procedureGroup: defineSearchAttributeKey('ProcedureGroup', SearchAttributeType.KEYWORD),
  dossierNumber: defineSearchAttributeKey('DossierNumber', SearchAttributeType.KEYWORD),
  dossierStatus: defineSearchAttributeKey('DossierStatus', SearchAttributeType.KEYWORD),
  currentStep: defineSearchAttributeKey('CurrentStep', SearchAttributeType.KEYWORD_LIST),
  provinceCode: defineSearchAttributeKey('ProvinceCode', SearchAttributeType.KEYWORD),
  communeCode: defineSearchAttributeKey('CommuneCode', SearchAttributeType.KEYWORD),
  overdue: defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL),
} as const;

/** `--search-attribute` values for `temporal server start-dev` and the operator API. */
const registeredType = { [SearchAttributeType.KEYWORD]: 'Keyword', [SearchAttributeType.KEYWORD_LIST]: 'KeywordList', [SearchAttributeType.BOOL]: 'Bool' } as const;
export type SearchAttributeRegistration = { name: string; type: (typeof registeredType)[keyof typeof registeredType] };
export const searchAttributeRegistrations: SearchAttributeRegistration[] = Object.values(searchAttributes).map((key) => ({
  name: key.name,
  type: registeredType[key.type as keyof typeof registeredType],
}));

export interface RetryPolicySettings {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
}

export interface GroupWorkflowInput {
  dossierId: string;
  dossierNumber: string;
  group: ProcedureGroup;
  /** The definition version the dossier was received under; kept for the workflow's whole life. */
  definitionVersion: number;
  /** The planned steps (mandatory + chosen optional), fixed at intake. */
  steps: StepCode[];
  /** Steps not listed are AUTOMATED. Resolved at intake from the agency/jurisdiction configuration. */
  modes?: Partial<Record<StepCode, StepMode>>;
  /** Agency calls: transient failures retry with backoff; when exhausted the step becomes an incident. */
  retry: RetryPolicySettings;
  /** Compensations retry this way; when exhausted they become an incident too. */
  compensationRetry: RetryPolicySettings;
  supplementPeriodWorkingDays: number;
  /**
   * When the group is overdue, then escalated again (epoch ms, computed at intake in working days).
   * Absent for dossiers received before deadlines were tracked.
   */
  escalations?: EscalationPoint[];
  /** Apologies and the verification extension (Nghị định 63 Điều 7.2–7.3); absent for dossiers received before. */
  appointments?: AppointmentSettings;
}

export interface AppointmentSettings {
  /** The group's deadline as received (epoch ms): the first appointment date. */
  dueAt: number;
  /** How long after the appointment passed the workflow waits for an officer's apology before issuing one itself. */
  autoApologyAfterMs: number;
  /** The new date of an automatic apology: this many working days after it is issued. */
  apologyWorkingDays: number;
  /** The group's limit once an agency declares that the dossier needs verification. */
  verificationWorkingDays: number;
}

export interface EscalationPoint {
  level: number;
  at: number;
}

/** What one attempt at a step came to, as the workflow sees it (results stay in the database). */
export type StepAttempt =
  | { status: 'COMPLETED' }
  | { status: 'REFUSED'; refusalCode: string }
  | { status: 'SUPPLEMENT_REQUESTED'; reason: string };

export interface StepProgress {
  step: StepCode;
  status: StepStatus;
}

export interface GroupOutcome {
  status: GroupOutcomeStatus;
  steps: StepProgress[];
}

export const progressQuery = defineQuery<StepProgress[]>('progress');

/** The deadline sweep found a step past its deadline: the workflow marks itself overdue. */
export const markOverdueSignal = defineSignal('markOverdue');

/**
 * Patch marker of the failure-path rules: every branch settles before compensation starts, the final
 * bookkeeping cannot be cancelled, incidents carry ids. Workflows started before replay without them.
 */
export const failurePathsPatch = 'failure-paths-v2';

/** Patch marker: a MANUAL step is undone through its agency's inbox (an UNDO task), not the agency's system. */
export const manualUndoPatch = 'manual-undo-through-inbox';

/** Patch marker: workflows started before deadline tracking replay without its timers. */
export const escalationPatch = 'group-deadline-escalation';

export interface SupplementRequest {
  step: StepCode;
  /** References of the documents the citizen supplied (stored by the API). */
  documents: string[];
  note?: string;
}
/** The clerk brings the citizen's supplement; rejected unless that step is waiting for one. */
export const provideSupplementUpdate = defineUpdate<void, [SupplementRequest]>('provideSupplement');

export interface StopRequest {
  reason: string;
  requestedBy: string;
}
/** The citizen withdraws (through the clerk): completed acts are compensated, the group ends WITHDRAWN. */
export const withdrawUpdate = defineUpdate<void, [StopRequest]>('withdraw');
/** The first registration proved invalid (a duplicate): completed acts are compensated, the group ends CANCELLED. */
export const cancelRegistrationUpdate = defineUpdate<void, [StopRequest]>('cancelRegistration');

export type IncidentDecision = 'RETRY' | 'SKIP' | 'CANCEL_GROUP';
/** What was parked: the step's act, the undo of an act, or a write to the read model. */
export const incidentKinds = ['STEP', 'COMPENSATION', 'BOOKKEEPING'] as const;
export type IncidentKind = (typeof incidentKinds)[number];
export interface IncidentResolution {
  step: StepCode;
  /**
   * The incident decided on (its row's id). A decision bound to an incident that is no longer open
   * (a newer incident of the same step) is refused instead of being consumed by the newer one.
   * Absent only for incidents opened before incidents carried ids.
   */
  incidentId?: string;
  decision: IncidentDecision;
  decidedBy: string;
  reason: string;
}
/** A supervisor's decision on a parked step or compensation. */
export const resolveIncidentUpdate = defineUpdate<void, [IncidentResolution]>('resolveIncident');
/**
 * The same decision, as part of a bulk decision: a signal, recorded in the API's outbox with the
 * decision and delivered after the answer (at least once). The API checks the incident is open first;
 * a decision the workflow finds stale all the same (decided meanwhile, or a repeat) is dropped.
 */
export const resolveIncidentSignal = defineSignal<[IncidentResolution]>('resolveIncidentInBulk');

// ── Agency tasks: a MANUAL step's act, or its undo, worked by an officer in the agency's inbox ─────

/** A task the workflow has opened and waits on (the activity that opened it answers this). */
export interface OpenedTask {
  taskId: string;
  round: number;
  /** How many times it changed hands so far (a task reopened keeps counting). */
  claims: number;
  /** Who holds it (a task found open keeps its holder). */
  holder: string | null;
}

/**
 * An officer's decision on a task. What was decided with its data (an ID number, a registration
 * number) stays in the API's `task_decision` row, named by `decisionId`: the workflow's history holds
 * codes only. The validator refuses a task already decided, claimed by a colleague, no longer awaited
 * or of another round; the handler answers once the decision is recorded in the read model.
 */
export interface TaskDecision {
  decisionId: string;
  taskId: string;
  step: StepCode;
  kind: TaskKind;
  round: number;
  status: 'COMPLETED' | 'REFUSED' | 'SUPPLEMENT_REQUESTED';
  decidedBy: string;
}
export const decideTaskUpdate = defineUpdate<void, [TaskDecision]>('decideTask');

/**
 * Who holds a task: CLAIM (an officer takes it), RELEASE (its holder gives it back), ASSIGN (a
 * supervisor moves it to an officer, or back to the inbox with `holder` null).
 */
export interface TaskClaim {
  taskId: string;
  step: StepCode;
  kind: TaskKind;
  action: 'CLAIM' | 'RELEASE' | 'ASSIGN';
  holder: string | null;
  by: string;
}
export const claimTaskUpdate = defineUpdate<void, [TaskClaim]>('claimTask');

/** What recording a decision came to: the step's answer, or a refusal of the decision's data. */
export type RecordedDecision = { status: 'RECORDED'; attempt: StepAttempt } | { status: 'INVALID'; reason: string };

/**
 * Patch marker: a MANUAL step's task is opened by an ordinary activity and its decision reaches the
 * workflow as an update (recorded by the workflow's activities), not through asynchronous completion.
 */
export const taskDecisionsPatch = 'task-decisions-through-workflow';

/** Error type an activity raises for an agency answer that no retry can fix (contract violation). */
export const nonRetryableAgencyError = 'AgencyContractError';

// ── Life-event notices: a draft dossier opened by a health facility's notice ─────────────────────

/** One workflow per notice, keeping its legal time limit. */
export function noticeWorkflowIdFor(noticeId: string): string {
  return `notice-${noticeId}`;
}

export interface NoticeWorkflowInput {
  noticeId: string;
  kind: 'BIRTH' | 'DEATH';
  /** When the legal time limit ends (epoch ms): 60 days from a birth, 15 from a death. */
  limitAt: number;
  /** When to remind the family (epoch ms), and how many days they will have left then. */
  reminders: { at: number; daysLeft: number }[];
  /** How long after the limit the draft is still awaited before the workflow leaves it to supervisors. */
  followAfterLimitMs: number;
}

export type NoticeOutcome = { status: 'CONFIRMED'; late: boolean } | { status: 'UNCONFIRMED' };

/** The family confirmed the draft at the desk: it became the ordinary group (sent through the outbox). */
export const noticeConfirmedSignal = defineSignal<[{ dossierNumber: string }]>('noticeConfirmed');

// ── Appointments: a late agency's apology, and the verification extension (Nghị định 63 Điều 7.2–7.3) ──

/**
 * An agency apologises for a late dossier with a new appointment date. Without `newDueAt` (the
 * workflow's automatic apology) the date is the configured number of working days later. The validator
 * refuses a group that has ended, one not late (its appointment date not passed, a first apology's
 * new date included: one apology per lateness), and one whose apology is being recorded.
 */
export interface ApologyRequest {
  agency: string;
  step?: StepCode;
  /** Epoch ms: end of office hours of a working day, checked against the calendar by the API. */
  newDueAt?: number;
  reasonCode: string;
  reasonText?: string;
  issuedBy: string;
}
/** What was recorded: the apology's number and the new appointment date (epoch ms). */
export interface AppointmentChanged {
  ordinal: number;
  appointmentAt: number;
  /** The escalation points moved with the deadline (a verification); absent when the deadline stands. */
  escalations?: EscalationPoint[];
}
export const issueApologyUpdate = defineUpdate<AppointmentChanged, [ApologyRequest]>('issueApology');

/** An agency declares the dossier needs verification: the group's limit is extended, once per group. */
export interface VerificationRequest {
  agency: string;
  step?: StepCode;
  reasonCode: string;
  reasonText?: string;
  issuedBy: string;
}
export const declareVerificationUpdate = defineUpdate<AppointmentChanged, [VerificationRequest]>('declareVerification');

/** Patch marker: workflows started before appointments replay without the automatic apology and moving deadlines. */
export const appointmentsPatch = 'appointment-changes';
