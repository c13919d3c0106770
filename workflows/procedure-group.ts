import { ActivityFailure, log, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { DossierActivities } from '../activities';
import { groupDefinition, type StepCode, type StepDefinition } from '../domain/procedures';
import {
  nonRetryableAgencyError,
  progressQuery,
  searchAttributes,
  type GroupOutcome,
  type GroupWorkflowInput,
  type StepOutcomeStatus,
  type StepProgress,
} from './contract';
import { groupOutcomeStatus } from './group-outcome';

/**
 * One durable workflow per dossier. It walks the group definition as a dependency graph: a step
 * starts once every step it depends on has completed, so independent branches (residence and health
 * insurance after the ID number) run in parallel. A step whose prerequisite did not complete is
 * blocked, never attempted.
 */
export async function procedureGroupWorkflow(input: GroupWorkflowInput): Promise<GroupOutcome> {
  const definition = groupDefinition(input.group);
  const plan = definition.steps.filter((s) => input.steps.includes(s.code));

  const agencyCalls = proxyActivities<DossierActivities>({
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: input.retry.initialIntervalMs,
      maximumInterval: input.retry.maximumIntervalMs,
      backoffCoefficient: 2,
      maximumAttempts: input.retry.maximumAttempts,
      nonRetryableErrorTypes: [nonRetryableAgencyError],
    },
  });
  // Bookkeeping writes to our own database: retried until the database is back.
  const bookkeeping = proxyActivities<DossierActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });

  const progress = new Map<StepCode, StepProgress['status']>(plan.map((s) => [s.code, 'PENDING']));
  setHandler(progressQuery, () => plan.map((s) => ({ step: s.code, status: progress.get(s.code) ?? 'PENDING' })));

  const setStatus = (step: StepCode, status: StepProgress['status']): void => {
    progress.set(step, status);
    const running = [...progress].filter(([, s]) => s === 'RUNNING').map(([code]) => code);
    upsertSearchAttributes([{ key: searchAttributes.currentStep, value: running }]);
  };

  const outcomes = new Map<StepCode, Promise<StepOutcomeStatus>>();
  const outcomeOf = (step: StepDefinition): Promise<StepOutcomeStatus> => {
    let outcome = outcomes.get(step.code);
    if (!outcome) {
      outcome = runStep(step);
      outcomes.set(step.code, outcome);
    }
    return outcome;
  };

  const runStep = async (step: StepDefinition): Promise<StepOutcomeStatus> => {
    const prerequisites = plan.filter((s) => step.dependsOn.includes(s.code));
    const before = await Promise.all(prerequisites.map(outcomeOf));
    if (before.some((s) => s !== 'COMPLETED')) {
      await bookkeeping.recordStepOutcome({ dossierId: input.dossierId, step: step.code, status: 'BLOCKED' });
      setStatus(step.code, 'BLOCKED');
      return 'BLOCKED';
    }
    setStatus(step.code, 'RUNNING');
    let status: StepOutcomeStatus;
    try {
      status = (await agencyCalls.performStep({ dossierId: input.dossierId, step: step.code })).status;
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      log.warn('step failed after its retries', { dossierNumber: input.dossierNumber, step: step.code });
      await bookkeeping.recordStepOutcome({
        dossierId: input.dossierId,
        step: step.code,
        status: 'FAILED',
        error: error.cause?.message ?? error.message,
      });
      status = 'FAILED';
    }
    setStatus(step.code, status);
    return status;
  };

  const stepStatuses = await Promise.all(plan.map(outcomeOf));
  const status = groupOutcomeStatus(stepStatuses);
  await bookkeeping.recordGroupOutcome({ dossierId: input.dossierId, status });
  upsertSearchAttributes([{ key: searchAttributes.dossierStatus, value: status }]);
  return { status, steps: plan.map((s, i) => ({ step: s.code, status: stepStatuses[i] ?? 'PENDING' })) };
}
