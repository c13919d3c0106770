import {
  ActivityCancellationType,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  sleep,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { DossierActivities } from '../activities';
import { groupDefinition, type StepCode, type StepDefinition } from '../domain/procedures';
import {
  appointmentsPatch,
  cancelRegistrationUpdate,
  declareVerificationUpdate,
  issueApologyUpdate,
  claimTaskUpdate,
  decideTaskUpdate,
  escalationPatch,
  failurePathsPatch,
  manualUndoPatch,
  markOverdueSignal,
  nonRetryableAgencyError,
  progressQuery,
  provideSupplementUpdate,
  resolveIncidentSignal,
  resolveIncidentUpdate,
  searchAttributes,
  taskDecisionsPatch,
  withdrawUpdate,
  type AppointmentChanged,
  type GroupOutcome,
  type GroupOutcomeStatus,
  type GroupWorkflowInput,
  type EscalationPoint,
  type IncidentDecision,
  type IncidentKind,
  type IncidentResolution,
  type OpenedTask,
  type RecordedDecision,
  type RetryPolicySettings,
  type StepAttempt,
  type StepOutcomeStatus,
  type StepStatus,
  type StopRequest,
  type TaskDecision,
  type TaskKind,
} from './contract';
import { groupOutcomeStatus } from './group-outcome';
import { AppointmentState } from './appointment-state';
import { GroupState, type StopStatus } from './group-state';

const retry = (policy: RetryPolicySettings) => ({
  initialInterval: policy.initialIntervalMs,
  maximumInterval: policy.maximumIntervalMs,
  backoffCoefficient: 2,
  maximumAttempts: policy.maximumAttempts,
  nonRetryableErrorTypes: [nonRetryableAgencyError],
});

/**
 * One durable workflow per dossier, interpreting the group's definition as a dependency graph: a step
 * starts once every step it depends on has completed, so independent branches run in parallel.
 *
 * - A refusal ends a step; later steps that needed it are blocked; earlier acts stand.
 * - An agency asking for a supplement parks the step until the clerk brings it or the supplement
 *   period (working days) runs out, which refuses the step.
 * - A step or compensation whose retries are exhausted becomes an incident and waits for a
 *   supervisor's decision instead of failing the dossier.
 * - Withdrawal, cancellation of the registration, or cancelling the workflow itself runs the
 *   compensations of every step that may have acted, in reverse order, whatever else happens.
 */
export async function procedureGroupWorkflow(input: GroupWorkflowInput): Promise<GroupOutcome> {
  const definition = groupDefinition(input.group, input.definitionVersion);
  const plan = definition.steps.filter((s) => input.steps.includes(s.code));
  const ref = (step: StepCode) => ({ dossierId: input.dossierId, step });

  // Agency calls heartbeat while under way: a worker that dies mid-call is noticed within the
  // heartbeat timeout and the call retried on another worker, not after the whole start-to-close.
  const agency = proxyActivities<DossierActivities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '5 seconds',
    retry: retry(input.retry),
    // An agency call already under way finishes before compensations run, so they see its act.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const compensation = proxyActivities<DossierActivities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '5 seconds',
    retry: retry(input.compensationRetry),
  });
  // A MANUAL step waits for an officer: the activity opens a task and completes asynchronously, so it
  // may take months; a stopped group must not wait for the officer (TRY_CANCEL: cancelled at once).
  const manual = proxyActivities<DossierActivities>({
    startToCloseTimeout: '90 days',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 5 },
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  });
  // Undoing a MANUAL step is an officer's task too (it may take as long); it runs non-cancellable.
  const manualUndo = proxyActivities<DossierActivities>({
    startToCloseTimeout: '90 days',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: [nonRetryableAgencyError] },
  });
  // Writes to our own database ride out a short outage; one that keeps failing (a long outage, data
  // the database refuses) becomes a BOOKKEEPING incident instead of retrying silently forever.
  const bookkeeping = proxyActivities<DossierActivities>({
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 12 },
  });
  // Recording and closing incidents themselves: codes and our own error text only, retried until done.
  const incidentLog = proxyActivities<DossierActivities>({
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });

  const escalation = proxyActivities<DossierActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', maximumAttempts: 12 },
  });

  // Called first, so every new run carries the marker; runs started before replay the older rules.
  const failurePaths = patched(failurePathsPatch);
  const incidents = failurePaths ? incidentLog : bookkeeping;
  const state = new GroupState(plan);
  const stepsScope = new CancellationScope();
  const setStatus = (step: StepCode, status: StepStatus): void => {
    upsertSearchAttributes([{ key: searchAttributes.currentStep, value: state.setStatus(step, status) }]);
  };
  const requestStop = (status: StopStatus) => (request: StopRequest) => {
    state.requestStop(status, request);
    stepsScope.cancel();
  };
  const validateStop = (_request?: StopRequest) => state.validateStop();

  setHandler(progressQuery, () => state.snapshot());
  setHandler(markOverdueSignal, () => upsertSearchAttributes([{ key: searchAttributes.overdue, value: true }]));
  setHandler(provideSupplementUpdate, ({ step, documents }) => state.addSupplement(step, documents), { validator: ({ step }) => state.validateSupplement(step) });
  setHandler(withdrawUpdate, requestStop('WITHDRAWN'), { validator: validateStop });
  setHandler(cancelRegistrationUpdate, requestStop('CANCELLED'), { validator: validateStop });
  const applyDecision = ({ step, decision, reason, decidedBy }: IncidentResolution): void =>
    decision === 'CANCEL_GROUP' ? requestStop('CANCELLED')({ reason, requestedBy: decidedBy }) : state.decide(step, decision);
  setHandler(resolveIncidentUpdate, applyDecision, { validator: (resolution) => state.validateDecision(resolution) });
  setHandler(resolveIncidentSignal, (resolution) => {
    try {
      state.validateDecision(resolution);
    } catch (error) {
      // Decided meanwhile (or by an older request): the incident stays as the earlier decision left it.
      log.info('bulk decision dropped', { dossierNumber: input.dossierNumber, step: resolution.step, why: (error as Error).message });
      return;
    }
    applyDecision(resolution);
  });

  // An officer's decision and who holds a task reach the workflow, which records them: the API never
  // writes the read model beside it. Recorded in the handler, not cancellable: a decision taken is a
  // fact even if the group is stopped a moment later (compensation then undoes its act). A write that
  // keeps failing is never parked as an incident (a person is waiting for the answer): the caller is
  // told it was not recorded, and the task awaits a decision again.
  setHandler(
    decideTaskUpdate,
    async (decision: TaskDecision) => {
      state.decideTask(decision);
      const answer = await CancellationScope.nonCancellable(() =>
        bookkeeping.recordTaskDecision({ dossierId: input.dossierId, decisionId: decision.decisionId }).catch(
          (): RecordedDecision => ({ status: 'INVALID', reason: 'the decision could not be recorded now: try again' }),
        ),
      );
      state.answerDecision(decision.step, decision.kind, decision.decisionId, answer);
      if (answer.status === 'INVALID') throw ApplicationFailure.nonRetryable(answer.reason, 'InvalidTaskDecision');
    },
    { validator: (decision) => state.validateTaskDecision(decision) },
  );
  setHandler(
    claimTaskUpdate,
    async (claim) => {
      const { claims, before } = state.claim(claim);
      try {
        await CancellationScope.nonCancellable(() => bookkeeping.recordTaskClaim({ taskId: claim.taskId, holder: claim.holder, claims }));
      } catch {
        state.restoreHolder(claim, before);
        throw ApplicationFailure.nonRetryable('the change of holder could not be recorded now: try again', 'TaskClaimNotRecorded');
      }
    },
    { validator: (claim) => state.validateClaim(claim) },
  );

  // Apologies and the verification extension (Nghị định 63 Điều 7.2–7.3), for dossiers received with
  // their settings. Recorded by the workflow's activity, one change at a time; a write that keeps
  // failing tells the caller, who may ask again (the automatic apology tries again later).
  const settings = input.appointments;
  const appointments = settings ? new AppointmentState(settings, input.escalations ?? []) : undefined;
  const appointmentRules = appointments !== undefined && patched(appointmentsPatch);
  type AppointmentRequest = { agency?: string; step?: StepCode; newDueAt?: number; reasonCode: string; reasonText?: string; issuedBy: string };
  async function changeAppointment(kind: 'APOLOGY' | 'VERIFICATION', ordinal: number, request: AppointmentRequest, automatic: boolean): Promise<AppointmentChanged> {
    try {
      const changed = await CancellationScope.nonCancellable(() =>
        bookkeeping.recordAppointmentChange({
          dossierId: input.dossierId,
          kind,
          ordinal,
          ...request,
          automatic,
          workingDays: kind === 'APOLOGY' ? settings!.apologyWorkingDays : settings!.verificationWorkingDays,
          ...(kind === 'VERIFICATION' && input.escalations ? { escalations: input.escalations } : {}),
        }),
      );
      appointments!.recorded(kind, changed);
      return changed;
    } catch {
      appointments!.abandon(kind);
      throw ApplicationFailure.nonRetryable('the change of appointment could not be recorded now: try again', 'AppointmentNotRecorded');
    }
  }
  if (appointments) {
    const stopping = () => state.hasEnded || state.isStopping;
    setHandler(issueApologyUpdate, (request) => changeAppointment('APOLOGY', appointments.beginApology(), request, false), {
      validator: (request) => appointments.validateApology(Date.now(), stopping(), request.newDueAt),
    });
    setHandler(
      declareVerificationUpdate,
      (request) => {
        appointments.beginVerification();
        return changeAppointment('VERIFICATION', 1, request, false);
      },
      { validator: (_request) => appointments.validateVerification(stopping()) },
    );
  }

  /**
   * Workflows started before decisions came as updates wait on the asynchronous-completion activity
   * that opened their task, which the decision's recording completes: the same commands as recorded.
   */
  async function legacyTask<T>(step: StepCode, kind: TaskKind, waiting: () => Promise<T>): Promise<T> {
    state.awaitTask(step, kind, { round: state.roundOf(step) });
    try {
      return await waiting();
    } finally {
      state.closeTask(step, kind);
    }
  }

  /**
   * A task in the agency's inbox, until an officer's decision on it is recorded. Awaited before it is
   * opened: an officer may decide it the moment its row is written, before the workflow hears back.
   */
  async function worked<Opened extends OpenedTask | { undone: boolean }>(
    step: StepCode,
    kind: TaskKind,
    open: (taskId: string) => Promise<Opened>,
  ): Promise<StepAttempt | Exclude<Opened, OpenedTask>> {
    state.awaitTask(step, kind, { taskId: uuid4(), round: state.roundOf(step) });
    try {
      const opened = await open(state.awaitedTaskId(step, kind)!);
      if (!('taskId' in opened)) return opened as Exclude<Opened, OpenedTask>;
      state.taskOpened(step, kind, opened);
      await condition(() => state.recordedAnswer(step, kind) !== undefined);
      return state.recordedAnswer(step, kind)!;
    } finally {
      state.closeTask(step, kind);
    }
  }

  async function manualAct(step: StepCode): Promise<StepAttempt> {
    if (!patched(taskDecisionsPatch)) return legacyTask(step, 'ACT', () => manual.performManualStep(ref(step)));
    return worked(step, 'ACT', (taskId) => bookkeeping.openTask({ ...ref(step), taskId }));
  }

  /** Undoing an act done by hand: an UNDO task; the agency refusing to undo is a compensation incident. */
  async function manualUndoOf(step: StepCode, reason: string): Promise<{ undone: boolean }> {
    if (!patched(taskDecisionsPatch)) return legacyTask(step, 'UNDO', () => manualUndo.compensateManualStep({ ...ref(step), reason }));
    const answer = await worked(step, 'UNDO', (taskId) => bookkeeping.openUndoTask({ ...ref(step), taskId, reason }));
    if ('undone' in answer) return answer;
    if (answer.status === 'REFUSED') throw ApplicationFailure.nonRetryable(`the agency refused to undo ${step} (${answer.refusalCode})`, nonRetryableAgencyError);
    return { undone: true };
  }

  /** Parks a step whose retries ran out until a supervisor decides; the incident is recorded. */
  async function incident(step: StepCode, kind: IncidentKind, error: unknown): Promise<IncidentDecision> {
    const message = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    const incidentId = failurePaths ? uuid4() : undefined;
    log.warn('incident opened', { dossierNumber: input.dossierNumber, step, kind });
    await incidents.openIncident({ ...ref(step), kind, error: message, ...(incidentId ? { incidentId } : {}) });
    state.openIncident(step, kind, incidentId);
    setStatus(step, 'INCIDENT');
    try {
      await condition(() => state.hasDecision(step));
    } finally {
      state.closeIncident(step);
    }
    const decision = state.takeDecision(step);
    await incidents.closeIncident({ ...ref(step), decision, ...(incidentId ? { incidentId } : {}) });
    return decision;
  }

  /** A write to the read model; one that keeps failing waits, as an incident, for a supervisor's retry. */
  async function record<T>(step: StepCode, write: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await write();
      } catch (error) {
        if (isCancellation(error)) throw error;
        const before = state.status(step);
        await incident(step, 'BOOKKEEPING', error); // only RETRY is accepted (see the validator)
        setStatus(step, before); // the step itself is where it was; only the write was parked
      }
    }
  }

  async function attempt(step: StepDefinition): Promise<StepAttempt | 'SKIPPED'> {
    for (;;) {
      setStatus(step.code, 'RUNNING');
      try {
        return input.modes?.[step.code] === 'MANUAL' ? await manualAct(step.code) : await agency.performStep(ref(step.code));
      } catch (error) {
        if (isCancellation(error)) throw error;
        const decision = await incident(step.code, 'STEP', error);
        if (decision === 'SKIP') return 'SKIPPED';
      }
    }
  }

  async function runStep(step: StepDefinition): Promise<StepOutcomeStatus> {
    const prerequisites = plan.filter((s) => step.dependsOn.includes(s.code));
    const before = await Promise.all(prerequisites.map(outcomeOf));
    if (before.some((s) => s !== 'COMPLETED')) {
      await record(step.code, () => bookkeeping.recordStepOutcome({ ...ref(step.code), status: 'BLOCKED' }));
      setStatus(step.code, 'BLOCKED');
      return 'BLOCKED';
    }
    state.registerCompensation(step);
    for (;;) {
      const result = await attempt(step);
      if (result === 'SKIPPED') {
        await record(step.code, () => bookkeeping.recordStepOutcome({ ...ref(step.code), status: 'SKIPPED' }));
        setStatus(step.code, 'SKIPPED');
        return 'SKIPPED';
      }
      if (result.status !== 'SUPPLEMENT_REQUESTED') {
        setStatus(step.code, result.status);
        return result.status;
      }
      setStatus(step.code, 'WAITING_FOR_SUPPLEMENT');
      const requestedAt = Date.now();
      const { dueAt } = await record(step.code, () =>
        bookkeeping.openSupplementRequest({ ...ref(step.code), reason: result.reason, periodWorkingDays: input.supplementPeriodWorkingDays, requestedAt }),
      );
      const supplied = await condition(() => state.hasSupplement(step.code), Math.max(1, dueAt - Date.now()));
      // The period ran out: from now on a supplement is refused (409), never accepted and then dropped.
      // The search attribute follows with the refusal's record; only the validator must know at once.
      if (!supplied) state.setStatus(step.code, 'REFUSED');
      // One accepted in the same moment as the timer fired was accepted in time: it is used.
      if (supplied || state.hasSupplement(step.code)) {
        const { documents, round } = state.takeSupplement(step.code);
        // No longer waiting: a supplement arriving after this one is refused (409), not silently dropped.
        if (failurePaths) setStatus(step.code, 'RUNNING');
        await record(step.code, () => bookkeeping.recordSupplementReceived({ ...ref(step.code), documents, ...(failurePaths ? { round } : {}) }));
        continue;
      }
      await record(step.code, () => bookkeeping.recordStepOutcome({ ...ref(step.code), status: 'REFUSED', refusalCode: 'SUPPLEMENT_NOT_PROVIDED' }));
      setStatus(step.code, 'REFUSED');
      return 'REFUSED';
    }
  }

  const outcomes = new Map<StepCode, Promise<StepOutcomeStatus>>();
  function outcomeOf(step: StepDefinition): Promise<StepOutcomeStatus> {
    let outcome = outcomes.get(step.code);
    if (!outcome) {
      outcome = runStep(step);
      outcomes.set(step.code, outcome);
    }
    return outcome;
  }

  /** Undoes, newest first, every act that may have happened; each compensation is idempotent. */
  async function compensate(reason: string): Promise<void> {
    state.beginCompensation();
    // A decision taken just before the stop is recorded first, so its act is seen, and undone.
    if (state.decisionsInFlight > 0) await condition(() => state.decisionsInFlight === 0);
    for (const step of state.compensationsNewestFirst()) {
      for (;;) {
        try {
          const { undone } =
            input.modes?.[step.code] === 'MANUAL' && patched(manualUndoPatch)
              ? await manualUndoOf(step.code, reason)
              : await compensation.compensateStep({ ...ref(step.code), reason });
          setStatus(step.code, undone ? 'COMPENSATED' : 'CANCELLED');
          break;
        } catch (error) {
          if ((await incident(step.code, 'COMPENSATION', error)) === 'RETRY') continue;
          await record(step.code, () => bookkeeping.recordStepOutcome({ ...ref(step.code), status: 'COMPENSATION_SKIPPED' }));
          setStatus(step.code, 'COMPENSATION_SKIPPED');
          break;
        }
      }
    }
  }

  async function end(status: GroupOutcomeStatus, reason?: string): Promise<GroupOutcome> {
    state.markEnded();
    // A group-level write is parked on the group's first step, where supervisors look for it.
    await record(plan[0]!.code, () => bookkeeping.recordGroupOutcome({ dossierId: input.dossierId, status, ...(reason ? { reason } : {}) }));
    upsertSearchAttributes([{ key: searchAttributes.dossierStatus, value: status }]);
    // A claim being recorded as the group ends still answers its caller.
    if (!allHandlersFinished()) await condition(allHandlersFinished);
    return { status, steps: state.snapshot() };
  }

  /**
   * Escalation runs beside the steps: when the group's deadline passes it is marked overdue and
   * escalated, and again at each later threshold. It never holds the group open: a group that ends
   * drops the timers still pending.
   */
  if (input.escalations?.length && patched(escalationPatch)) {
    /** Until an escalation point; a declared verification moves the deadline, and the timer with it. */
    const until = async (point: EscalationPoint): Promise<void> => {
      if (!appointmentRules) return sleep(Math.max(1, point.at - Date.now()));
      for (;;) {
        const seen = appointments!.changes;
        if (!(await condition(() => appointments!.changes !== seen, Math.max(1, appointments!.escalationAt(point) - Date.now())))) return;
      }
    };
    void CancellationScope.cancellable(async () => {
      for (const point of input.escalations ?? []) {
        const { level } = point;
        await until(point);
        if (state.hasEnded) return;
        upsertSearchAttributes([{ key: searchAttributes.overdue, value: true }]);
        try {
          await escalation.escalate({ dossierId: input.dossierId, level });
        } catch (error) {
          // The escalation is recorded on the first attempt; only its announcement gave up.
          if (isCancellation(error)) throw error;
          log.warn('escalation not delivered', { dossierNumber: input.dossierNumber, level });
        }
      }
    }).catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
    });
  }

  /**
   * The automatic apology: once the appointment has passed and no officer apologised within the
   * configured time, the workflow apologises itself with the configured new date; again each time the
   * new date passes with the group still open. Durable timers: a worker restart changes nothing.
   */
  if (appointmentRules) {
    const { autoApologyAfterMs } = settings!;
    void CancellationScope.cancellable(async () => {
      for (;;) {
        const seen = appointments!.changes;
        if (await condition(() => appointments!.changes !== seen, Math.max(1, appointments!.appointmentAt - Date.now()))) continue;
        if (await condition(() => appointments!.changes !== seen, autoApologyAfterMs)) continue;
        if (state.hasEnded || state.isStopping) return;
        if (appointments!.isRecording) {
          await condition(() => !appointments!.isRecording);
          continue;
        }
        try {
          await changeAppointment('APOLOGY', appointments!.beginApology(), { reasonCode: 'AUTOMATIC', issuedBy: 'system' }, true);
        } catch {
          log.warn('automatic apology not recorded; trying again later', { dossierNumber: input.dossierNumber });
          await sleep(autoApologyAfterMs);
        }
      }
    }).catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
    });
  }

  let stepOutcomes: StepOutcomeStatus[] | undefined;
  let cancellation: unknown;
  try {
    stepOutcomes = await stepsScope.run(() => (failurePaths ? settled(plan.map(outcomeOf)) : Promise.all(plan.map(outcomeOf))));
  } catch (error) {
    if (!isCancellation(error)) throw error;
    cancellation = error;
  }
  const stop = state.stop;
  if (stepOutcomes && !stop) {
    const status = groupOutcomeStatus(stepOutcomes);
    // Every step has ended: a cancellation arriving now must not leave the dossier unrecorded.
    return failurePaths ? CancellationScope.nonCancellable(() => end(status)) : end(status);
  }

  // Stopped: by the citizen, by a cancelled registration, or by cancelling the workflow itself.
  const stopped = stop ?? { status: 'CANCELLED' as const, request: { reason: 'workflow cancelled', requestedBy: 'temporal' } };
  const outcome = await CancellationScope.nonCancellable(async () => {
    await compensate(stopped.request.reason);
    return end(stopped.status, stopped.request.reason);
  });
  // Cancelled through Temporal: after compensating, end as Temporal's cancelled state says.
  if (!stop) throw cancellation;
  return outcome;
}

/**
 * Like Promise.all, but rejects only once every branch has settled: when the group is stopped, an
 * agency call still under way in a parallel branch lands (and is registered for undo) before any
 * compensation starts, so an undo never overtakes the act it undoes.
 */
async function settled<T>(branches: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(branches);
  const failure = results.find((r) => r.status === 'rejected' && !isCancellation(r.reason)) ?? results.find((r) => r.status === 'rejected');
  if (failure?.status === 'rejected') throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
