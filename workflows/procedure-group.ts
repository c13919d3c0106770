import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  sleep,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { DossierActivities } from '../activities';
import { groupDefinition, type StepCode, type StepDefinition } from '../domain/procedures';
import {
  cancelRegistrationUpdate,
  escalationPatch,
  markOverdueSignal,
  nonRetryableAgencyError,
  progressQuery,
  provideSupplementUpdate,
  resolveIncidentUpdate,
  searchAttributes,
  withdrawUpdate,
  type GroupOutcome,
  type GroupOutcomeStatus,
  type GroupWorkflowInput,
  type IncidentDecision,
  type RetryPolicySettings,
  type StepAttempt,
  type StepOutcomeStatus,
  type StepProgressStatus,
  type StopRequest,
} from './contract';
import { groupOutcomeStatus } from './group-outcome';

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

  const agency = proxyActivities<DossierActivities>({
    startToCloseTimeout: '2 minutes',
    retry: retry(input.retry),
    // An agency call already under way finishes before compensations run, so they see its act.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const compensation = proxyActivities<DossierActivities>({ startToCloseTimeout: '2 minutes', retry: retry(input.compensationRetry) });
  // A MANUAL step waits for an officer: the activity opens a task and completes asynchronously, so it
  // may take months; a stopped group must not wait for the officer (TRY_CANCEL: cancelled at once).
  const manual = proxyActivities<DossierActivities>({
    startToCloseTimeout: '90 days',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 5 },
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  });
  // Writes to our own database: retried until it is back.
  const bookkeeping = proxyActivities<DossierActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });

  const escalation = proxyActivities<DossierActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', maximumAttempts: 12 },
  });

  const progress = new Map<StepCode, StepProgressStatus>(plan.map((s) => [s.code, 'PENDING']));
  const supplied = new Map<StepCode, string[]>();
  const decisions = new Map<StepCode, IncidentDecision>();
  const compensations: StepDefinition[] = [];
  const stepsScope = new CancellationScope();
  let stop: { status: Extract<GroupOutcomeStatus, 'WITHDRAWN' | 'CANCELLED'>; request: StopRequest } | undefined;
  let ended = false;

  const snapshot = () => plan.map((s) => ({ step: s.code, status: progress.get(s.code) ?? 'PENDING' }));
  const setStatus = (step: StepCode, status: StepProgressStatus): void => {
    progress.set(step, status);
    const active = [...progress].filter(([, s]) => s === 'RUNNING' || s === 'WAITING_FOR_SUPPLEMENT' || s === 'INCIDENT');
    upsertSearchAttributes([{ key: searchAttributes.currentStep, value: active.map(([code]) => code) }]);
  };
  const requestStop = (status: 'WITHDRAWN' | 'CANCELLED') => (request: StopRequest) => {
    stop = { status, request };
    stepsScope.cancel();
  };
  const validateStop = (_request?: StopRequest): void => {
    if (ended) throw new Error('the group has already ended');
    if (stop) throw new Error('the group is already being stopped');
  };

  setHandler(progressQuery, snapshot);
  setHandler(markOverdueSignal, () => upsertSearchAttributes([{ key: searchAttributes.overdue, value: true }]));
  setHandler(provideSupplementUpdate, ({ step, documents }) => void supplied.set(step, documents), {
    validator: ({ step }) => {
      if (progress.get(step) !== 'WAITING_FOR_SUPPLEMENT') throw new Error(`step ${step} is not waiting for a supplement`);
    },
  });
  setHandler(withdrawUpdate, requestStop('WITHDRAWN'), { validator: validateStop });
  setHandler(cancelRegistrationUpdate, requestStop('CANCELLED'), { validator: validateStop });
  setHandler(
    resolveIncidentUpdate,
    (resolution) => {
      if (resolution.decision === 'CANCEL_GROUP') requestStop('CANCELLED')({ reason: resolution.reason, requestedBy: resolution.decidedBy });
      else decisions.set(resolution.step, resolution.decision);
    },
    {
      validator: ({ step, decision }) => {
        if (progress.get(step) !== 'INCIDENT') throw new Error(`step ${step} has no open incident`);
        if (decision === 'CANCEL_GROUP') validateStop();
        if (decision === 'SKIP' && !stop && !plan.find((s) => s.code === step)?.optional) {
          throw new Error(`step ${step} is mandatory and cannot be skipped`);
        }
      },
    },
  );

  /** Parks a step whose retries ran out until a supervisor decides; the incident is recorded. */
  async function incident(step: StepCode, kind: 'STEP' | 'COMPENSATION', error: unknown): Promise<IncidentDecision> {
    const message = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    log.warn('incident opened', { dossierNumber: input.dossierNumber, step, kind });
    await bookkeeping.openIncident({ ...ref(step), kind, error: message });
    setStatus(step, 'INCIDENT');
    await condition(() => decisions.has(step));
    const decision = decisions.get(step) as IncidentDecision;
    decisions.delete(step);
    await bookkeeping.closeIncident({ ...ref(step), decision });
    return decision;
  }

  async function attempt(step: StepDefinition): Promise<StepAttempt | 'SKIPPED'> {
    for (;;) {
      setStatus(step.code, 'RUNNING');
      try {
        return input.modes?.[step.code] === 'MANUAL'
          ? await manual.performManualStep(ref(step.code))
          : await agency.performStep(ref(step.code));
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
      await bookkeeping.recordStepOutcome({ ...ref(step.code), status: 'BLOCKED' });
      setStatus(step.code, 'BLOCKED');
      return 'BLOCKED';
    }
    // Registered before the step acts: if we are stopped mid-call, its act is still undone.
    if (step.compensation) compensations.push(step);
    for (;;) {
      const result = await attempt(step);
      if (result === 'SKIPPED') {
        await bookkeeping.recordStepOutcome({ ...ref(step.code), status: 'SKIPPED' });
        setStatus(step.code, 'SKIPPED');
        return 'SKIPPED';
      }
      if (result.status !== 'SUPPLEMENT_REQUESTED') {
        setStatus(step.code, result.status);
        return result.status;
      }
      setStatus(step.code, 'WAITING_FOR_SUPPLEMENT');
      const { dueAt } = await bookkeeping.openSupplementRequest({
        ...ref(step.code),
        reason: result.reason,
        periodWorkingDays: input.supplementPeriodWorkingDays,
        requestedAt: Date.now(),
      });
      if (await condition(() => supplied.has(step.code), Math.max(1, dueAt - Date.now()))) {
        await bookkeeping.recordSupplementReceived({ ...ref(step.code), documents: supplied.get(step.code) ?? [] });
        supplied.delete(step.code);
        continue;
      }
      await bookkeeping.recordStepOutcome({ ...ref(step.code), status: 'REFUSED', refusalCode: 'SUPPLEMENT_NOT_PROVIDED' });
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
    for (const step of [...compensations].reverse()) {
      for (;;) {
        try {
          const { undone } = await compensation.compensateStep({ ...ref(step.code), reason });
          setStatus(step.code, undone ? 'COMPENSATED' : 'CANCELLED');
          break;
        } catch (error) {
          if ((await incident(step.code, 'COMPENSATION', error)) === 'RETRY') continue;
          await bookkeeping.recordStepOutcome({ ...ref(step.code), status: 'COMPENSATION_SKIPPED' });
          setStatus(step.code, 'COMPENSATION_SKIPPED');
          break;
        }
      }
    }
  }

  async function end(status: GroupOutcomeStatus, reason?: string): Promise<GroupOutcome> {
    ended = true;
    await bookkeeping.recordGroupOutcome({ dossierId: input.dossierId, status, ...(reason ? { reason } : {}) });
    upsertSearchAttributes([{ key: searchAttributes.dossierStatus, value: status }]);
    return { status, steps: snapshot() };
  }

  /**
   * Escalation runs beside the steps: when the group's deadline passes it is marked overdue and
   * escalated, and again at each later threshold. It never holds the group open: a group that ends
   * drops the timers still pending.
   */
  if (input.escalations?.length && patched(escalationPatch)) {
    void CancellationScope.cancellable(async () => {
      for (const { level, at } of input.escalations ?? []) {
        await sleep(Math.max(1, at - Date.now()));
        if (ended) return;
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

  let stepOutcomes: StepOutcomeStatus[] | undefined;
  let cancellation: unknown;
  try {
    stepOutcomes = await stepsScope.run(() => Promise.all(plan.map(outcomeOf)));
  } catch (error) {
    if (!isCancellation(error)) throw error;
    cancellation = error;
  }
  if (stepOutcomes && !stop) return end(groupOutcomeStatus(stepOutcomes));

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
