import type { StepCode, StepDefinition } from '../domain/procedures';
import { isOneOf, openStepStatuses } from '../domain/statuses';
import type {
  GroupOutcomeStatus,
  IncidentDecision,
  IncidentKind,
  IncidentResolution,
  OpenedTask,
  RecordedDecision,
  StepAttempt,
  StepProgress,
  StepStatus,
  StopRequest,
  TaskClaim,
  TaskDecision,
  TaskKind,
} from './contract';

export type StopStatus = Extract<GroupOutcomeStatus, 'WITHDRAWN' | 'CANCELLED'>;

interface AwaitedTask {
  /** Absent for a task opened by the asynchronous-completion activity of workflows started before: any id fits. */
  taskId?: string;
  round: number;
  holder: string | null;
  claims: number;
  /** Its row is written and read: its holder is known. */
  opened: boolean;
  decision?: TaskDecision;
  /** The step's answer once the decision is in the read model. */
  recorded?: StepAttempt;
}

const taskKey = (step: StepCode, kind: TaskKind) => `${kind}:${step}`;

/**
 * What a procedure group's workflow knows, and the rules for changing it: the workflow's handlers
 * and validators call these transitions, the step logic reads them. Plain and deterministic (no
 * Temporal calls), so each rule is in one place and unit-testable.
 */
export class GroupState {
  private readonly progress: Map<StepCode, StepStatus>;
  private readonly supplied = new Map<StepCode, string[]>();
  private readonly rounds = new Map<StepCode, number>();
  /** The incident each parked step waits on: one at a time per step, a step's branch being sequential. */
  private readonly incidents = new Map<StepCode, { id?: string; kind: IncidentKind }>();
  private readonly decisions = new Map<StepCode, IncidentDecision>();
  private readonly undoable: StepDefinition[] = [];
  /** The tasks waiting in agencies' inboxes, by step and kind, with who holds each. */
  private readonly tasks = new Map<string, AwaitedTask>();
  private stopRequest: { status: StopStatus; request: StopRequest } | undefined;
  private compensating = false;
  private recording = 0;
  private ended = false;

  constructor(private readonly plan: readonly StepDefinition[]) {
    this.progress = new Map(plan.map((s) => [s.code, 'PENDING']));
  }

  // Progress ---------------------------------------------------------------------------------------

  status(step: StepCode): StepStatus {
    return this.progress.get(step) ?? 'PENDING';
  }

  /** Sets a step's status; answers the steps open now (the `CurrentStep` search attribute). */
  setStatus(step: StepCode, status: StepStatus): StepCode[] {
    this.progress.set(step, status);
    return [...this.progress].filter(([, s]) => isOneOf(openStepStatuses, s)).map(([code]) => code);
  }

  snapshot(): StepProgress[] {
    return this.plan.map((s) => ({ step: s.code, status: this.status(s.code) }));
  }

  // Supplements ------------------------------------------------------------------------------------

  validateSupplement(step: StepCode): void {
    if (this.status(step) !== 'WAITING_FOR_SUPPLEMENT') throw new Error(`step ${step} is not waiting for a supplement`);
  }

  /** Supplements arriving before the step resumes are all kept. */
  addSupplement(step: StepCode, documents: readonly string[]): void {
    this.supplied.set(step, [...(this.supplied.get(step) ?? []), ...documents]);
  }

  hasSupplement(step: StepCode): boolean {
    return this.supplied.has(step);
  }

  /** The step's round: 0, then one more for each supplement taken. */
  roundOf(step: StepCode): number {
    return this.rounds.get(step) ?? 0;
  }

  /** The documents brought, and the round they open (named, so a retried write never counts it twice). */
  takeSupplement(step: StepCode): { documents: string[]; round: number } {
    const documents = this.supplied.get(step) ?? [];
    this.supplied.delete(step);
    const round = (this.rounds.get(step) ?? 0) + 1;
    this.rounds.set(step, round);
    return { documents, round };
  }

  // Incidents --------------------------------------------------------------------------------------

  openIncident(step: StepCode, kind: IncidentKind, id?: string): void {
    this.incidents.set(step, { kind, ...(id ? { id } : {}) });
  }

  /** The step no longer waits (decided, or stopped while parked: the incident is then superseded). */
  closeIncident(step: StepCode): void {
    this.incidents.delete(step);
  }

  validateDecision({ step, decision, incidentId }: Pick<IncidentResolution, 'step' | 'decision' | 'incidentId'>): void {
    const open = this.incidents.get(step);
    if (!open || this.decisions.has(step)) throw new Error(`step ${step} has no open incident`);
    if (incidentId && open.id && incidentId !== open.id) throw new Error(`incident ${incidentId} is no longer open (step ${step} has a newer one)`);
    if (decision === 'CANCEL_GROUP') this.validateStop();
    if (decision === 'SKIP') {
      // Skipping an undo leaves the act standing (recorded); skipping an act is for optional steps only.
      if (open.kind === 'BOOKKEEPING') throw new Error('a record of the dossier cannot be skipped: retry once the cause is fixed');
      if (open.kind === 'STEP' && !this.plan.find((s) => s.code === step)?.optional) throw new Error(`step ${step} is mandatory and cannot be skipped`);
    }
  }

  decide(step: StepCode, decision: Exclude<IncidentDecision, 'CANCEL_GROUP'>): void {
    this.decisions.set(step, decision);
  }

  hasDecision(step: StepCode): boolean {
    return this.decisions.has(step);
  }

  takeDecision(step: StepCode): IncidentDecision {
    const decision = this.decisions.get(step);
    if (!decision) throw new Error(`no decision on step ${step}`);
    this.decisions.delete(step);
    return decision;
  }

  // Agency tasks -----------------------------------------------------------------------------------

  /** Awaited before its row is written (opened: false), or a task of a workflow started before (opened). */
  awaitTask(step: StepCode, kind: TaskKind, { taskId, round }: { taskId?: string; round: number }): void {
    this.tasks.set(taskKey(step, kind), { ...(taskId ? { taskId } : {}), round, holder: null, claims: 0, opened: !taskId });
  }

  /** The task as its row was written (a task opened before keeps its id, its round and its claims). */
  taskOpened(step: StepCode, kind: TaskKind, { taskId, round, claims, holder }: OpenedTask): void {
    const task = this.tasks.get(taskKey(step, kind));
    if (!task) return;
    Object.assign(task, { taskId, round, claims: Math.max(task.claims, claims), holder, opened: true });
  }

  awaitedTaskId(step: StepCode, kind: TaskKind): string | undefined {
    return this.tasks.get(taskKey(step, kind))?.taskId;
  }

  /** The task no longer waits (decided and recorded, or its step stopped). */
  closeTask(step: StepCode, kind: TaskKind): void {
    this.tasks.delete(taskKey(step, kind));
  }

  private awaited({ step, kind, taskId }: Pick<TaskDecision, 'step' | 'kind' | 'taskId'>): AwaitedTask {
    const task = this.tasks.get(taskKey(step, kind));
    if (!task || (task.taskId && task.taskId !== taskId)) throw new Error(`task ${taskId} is no longer awaited`);
    if (task.decision) throw new Error(`task ${taskId} has already been decided`);
    return task;
  }

  validateTaskDecision(decision: TaskDecision): void {
    const task = this.awaited(decision);
    if (decision.round !== task.round) throw new Error(`task ${decision.taskId} is of round ${task.round}, not ${decision.round}`);
    if (task.holder && task.holder !== decision.decidedBy) throw new Error(`task ${decision.taskId} is claimed by ${task.holder}`);
    // An act decided while the group is being stopped would stand with nobody to undo it.
    if (decision.kind === 'ACT' && this.isStopping) throw new Error('the procedure group is being stopped');
    if (decision.kind === 'UNDO' && decision.status === 'SUPPLEMENT_REQUESTED') throw new Error('an undo task is completed or refused, never waits for a supplement');
  }

  /** Taken at once (before any await), so a second decision arriving with it is refused by the validator. */
  decideTask(decision: TaskDecision): void {
    this.awaited(decision).decision = decision;
    this.recording += 1;
  }

  /** The outcome of recording a decision; one whose data was refused leaves the task awaiting another. */
  answerDecision(step: StepCode, kind: TaskKind, decisionId: string, answer: RecordedDecision): void {
    this.recording -= 1;
    const task = this.tasks.get(taskKey(step, kind));
    if (task?.decision?.decisionId !== decisionId) return; // the step stopped waiting meanwhile
    if (answer.status === 'RECORDED') task.recorded = answer.attempt;
    else delete task.decision;
  }

  /** The step's answer, once an officer's decision on its task is recorded. */
  recordedAnswer(step: StepCode, kind: TaskKind): StepAttempt | undefined {
    return this.tasks.get(taskKey(step, kind))?.recorded;
  }

  /** Decisions taken but not yet in the read model: compensation waits for them, so it sees their acts. */
  get decisionsInFlight(): number {
    return this.recording;
  }

  validateClaim({ step, kind, taskId, action, holder, by }: TaskClaim): void {
    const task = this.awaited({ step, kind, taskId });
    // Its row may hold a claim from before: who holds it is known once the row is read.
    if (!task.opened) throw new Error(`task ${taskId} is being opened: try again in a moment`);
    if (action === 'CLAIM' && task.holder && task.holder !== holder) throw new Error(`task ${taskId} is claimed by ${task.holder}`);
    if (action === 'RELEASE' && task.holder !== by) throw new Error(`task ${taskId} is not claimed by ${by}`);
  }

  /** Who holds the task now, and the claim's number: its record never overtakes a later one. */
  claim({ step, kind, taskId, holder }: TaskClaim): { claims: number; before: string | null } {
    const task = this.awaited({ step, kind, taskId });
    const before = task.holder;
    task.holder = holder;
    task.claims += 1;
    return { claims: task.claims, before };
  }

  /** A change of holder that could not be recorded is undone, unless a later one changed it again. */
  restoreHolder({ step, kind, holder }: TaskClaim, before: string | null): void {
    const task = this.tasks.get(taskKey(step, kind));
    if (task && task.holder === holder) task.holder = before;
  }

  // Stopping and compensation ---------------------------------------------------------------------

  validateStop(): void {
    if (this.ended) throw new Error('the group has already ended');
    if (this.isStopping) throw new Error('the group is already being stopped');
  }

  /** Stopped by a request, or compensating for any reason (a workflow cancelled through Temporal too). */
  get isStopping(): boolean {
    return this.stopRequest !== undefined || this.compensating;
  }

  beginCompensation(): void {
    this.compensating = true;
  }

  requestStop(status: StopStatus, request: StopRequest): void {
    this.stopRequest = { status, request };
  }

  get stop(): { status: StopStatus; request: StopRequest } | undefined {
    return this.stopRequest;
  }

  /** Registered before the step acts: if the group is stopped mid-call, its act is still undone. */
  registerCompensation(step: StepDefinition): void {
    if (step.compensation) this.undoable.push(step);
  }

  /** Every step that may have acted, newest first. */
  compensationsNewestFirst(): StepDefinition[] {
    return [...this.undoable].reverse();
  }

  markEnded(): void {
    this.ended = true;
  }

  get hasEnded(): boolean {
    return this.ended;
  }
}
