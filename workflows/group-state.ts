import type { StepCode, StepDefinition } from '../domain/procedures';
import type {
  GroupOutcomeStatus,
  IncidentDecision,
  IncidentKind,
  IncidentResolution,
  StepProgress,
  StepProgressStatus,
  StopRequest,
} from './contract';

export type StopStatus = Extract<GroupOutcomeStatus, 'WITHDRAWN' | 'CANCELLED'>;

/** Steps that are with an agency, the citizen or a supervisor now (the `CurrentStep` search attribute). */
const active: readonly StepProgressStatus[] = ['RUNNING', 'WAITING_FOR_SUPPLEMENT', 'INCIDENT'];

/**
 * What a procedure group's workflow knows, and the rules for changing it: the workflow's handlers
 * and validators call these transitions, the step logic reads them. Plain and deterministic (no
 * Temporal calls), so each rule is in one place and unit-testable.
 */
export class GroupState {
  private readonly progress: Map<StepCode, StepProgressStatus>;
  private readonly supplied = new Map<StepCode, string[]>();
  private readonly rounds = new Map<StepCode, number>();
  /** The incident each parked step waits on: one at a time per step, a step's branch being sequential. */
  private readonly incidents = new Map<StepCode, { id?: string; kind: IncidentKind }>();
  private readonly decisions = new Map<StepCode, IncidentDecision>();
  private readonly undoable: StepDefinition[] = [];
  private stopRequest: { status: StopStatus; request: StopRequest } | undefined;
  private ended = false;

  constructor(private readonly plan: readonly StepDefinition[]) {
    this.progress = new Map(plan.map((s) => [s.code, 'PENDING']));
  }

  // Progress ---------------------------------------------------------------------------------------

  status(step: StepCode): StepProgressStatus {
    return this.progress.get(step) ?? 'PENDING';
  }

  /** Sets a step's status; answers the steps active now. */
  setStatus(step: StepCode, status: StepProgressStatus): StepCode[] {
    this.progress.set(step, status);
    return [...this.progress].filter(([, s]) => active.includes(s)).map(([code]) => code);
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

  // Stopping and compensation ---------------------------------------------------------------------

  validateStop(): void {
    if (this.ended) throw new Error('the group has already ended');
    if (this.stopRequest) throw new Error('the group is already being stopped');
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
