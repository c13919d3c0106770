import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { assignedAgency, chosenOptionalSteps, type Intake } from '../domain/intake';
import { currentDefinition, planSteps, type StepCode } from '../domain/procedures';
import type { WorkingCalendar } from '../domain/working-days';
import { stepModeFor } from '../domain/step-modes';
import type { Config } from '../runtime/config';
import { Prisma, type Database } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import { searchAttributes, workflowIdFor, workflowTypes, type GroupWorkflowInput } from '../workflows/contract';
import { digest } from './canonical-json';
import { ProblemError } from './problem';

export interface IntakeDependencies {
  db: Database;
  temporal: Client;
  calendar: WorkingCalendar;
  config: Pick<
    Config,
    | 'BIRTH_GROUP_DEADLINE_WORKING_DAYS'
    | 'DEATH_GROUP_DEADLINE_WORKING_DAYS'
    | 'TEMPORAL_TASK_QUEUE'
    | 'STEP_MAX_ATTEMPTS'
    | 'STEP_RETRY_INITIAL_MS'
    | 'STEP_RETRY_MAX_MS'
    | 'COMPENSATION_MAX_ATTEMPTS'
    | 'SUPPLEMENT_PERIOD_WORKING_DAYS'
    | 'SECOND_ESCALATION_WORKING_DAYS'
    | 'MANUAL_STEPS'
  >;
  logger: Logger;
}

export interface IntakeReceipt {
  dossierId: string;
  dossierNumber: string;
  workflowId: string;
  created: boolean;
}

/**
 * Records the dossier and starts its workflow. The dossier number is the idempotency key: the same
 * intake submitted again (a double click, a retry after a timeout) returns the first dossier and
 * workflow; a different intake under a number already used is a conflict.
 *
 * The dossier row is written first, in one transaction with its steps, then the workflow is started
 * with a fixed workflow ID. If Temporal is unreachable the client gets 503 and its retry finishes
 * the start: nothing is half-written that a retry cannot complete.
 */
export async function submitIntake(deps: IntakeDependencies, intake: Intake): Promise<IntakeReceipt> {
  const intakeDigest = digest(intake);
  const definition = currentDefinition(intake.group);
  const plan = planSteps(definition, chosenOptionalSteps(intake));
  const workflowId = workflowIdFor(intake.dossierNumber);
  // Each step's mode is fixed at intake from the agency and the dossier's commune.
  const assigned = plan.map((s) => ({ code: s.code, agency: assignedAgency(s, intake) }));
  const modeOf = (agency: string) => stepModeFor(deps.config.MANUAL_STEPS, agency, intake.jurisdiction);

  const receivedAt = intake.receivedAt ? new Date(intake.receivedAt) : new Date();
  const deadlineWorkingDays =
    intake.group === 'BIRTH' ? deps.config.BIRTH_GROUP_DEADLINE_WORKING_DAYS : deps.config.DEATH_GROUP_DEADLINE_WORKING_DAYS;

  let dossier = await deps.db.dossier.findUnique({ where: { dossierNumber: intake.dossierNumber } });
  let created = false;
  if (!dossier) {
    try {
      dossier = await deps.db.dossier.create({
        data: {
          id: randomUUID(),
          dossierNumber: intake.dossierNumber,
          procedureGroup: intake.group,
          workflowId,
          provinceCode: intake.jurisdiction.provinceCode,
          communeCode: intake.jurisdiction.communeCode,
          // Stored with its receipt time, so every later reading judges it as of that day.
          intake: { ...intake, receivedAt: receivedAt.toISOString() } as unknown as Prisma.InputJsonValue,
          intakeDigest,
          selectedSteps: plan.map((s) => s.code),
          definitionVersion: definition.version,
          receivedAt,
          dueAt: deps.calendar.dueAt(receivedAt, deadlineWorkingDays),
          steps: { create: assigned.map((s) => ({ id: randomUUID(), step: s.code, agency: s.agency, mode: modeOf(s.agency) })) },
          events: { create: { type: 'DOSSIER_RECEIVED', detail: { steps: plan.map((s) => s.code) } } },
        },
      });
      created = true;
    } catch (error) {
      // Two identical submissions racing: the loser reads the winner's row.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
      dossier = await deps.db.dossier.findUniqueOrThrow({ where: { dossierNumber: intake.dossierNumber } });
    }
  }
  if (dossier.intakeDigest !== intakeDigest) {
    throw new ProblemError(409, 'Dossier number already used', `dossier ${intake.dossierNumber} was submitted with different content`, [
      { field: 'dossierNumber', reason: 'already used by another intake' },
    ]);
  }

  // Read back from the rows, so a resubmission starts the workflow with the modes first recorded.
  const modes = (await deps.db.dossierStep.findMany({ where: { dossierId: dossier.id, mode: 'MANUAL' }, select: { step: true, mode: true } })) as {
    step: StepCode;
    mode: 'MANUAL';
  }[];
  const input: GroupWorkflowInput = {
    dossierId: dossier.id,
    dossierNumber: dossier.dossierNumber,
    group: intake.group,
    definitionVersion: dossier.definitionVersion,
    steps: dossier.selectedSteps as StepCode[],
    modes: Object.fromEntries(modes.map((s) => [s.step, s.mode])),
    retry: {
      initialIntervalMs: deps.config.STEP_RETRY_INITIAL_MS,
      maximumIntervalMs: deps.config.STEP_RETRY_MAX_MS,
      maximumAttempts: deps.config.STEP_MAX_ATTEMPTS,
    },
    compensationRetry: {
      initialIntervalMs: deps.config.STEP_RETRY_INITIAL_MS,
      maximumIntervalMs: deps.config.STEP_RETRY_MAX_MS,
      maximumAttempts: deps.config.COMPENSATION_MAX_ATTEMPTS,
    },
    supplementPeriodWorkingDays: deps.config.SUPPLEMENT_PERIOD_WORKING_DAYS,
    // Overdue at the deadline; escalated again after the configured further working days.
    escalations: [
      { level: 1, at: dossier.dueAt.getTime() },
      { level: 2, at: deps.calendar.dueAt(dossier.dueAt, deps.config.SECOND_ESCALATION_WORKING_DAYS).getTime() },
    ],
  };
  await startGroupWorkflow(deps, input, dossier);
  deps.logger.info({ dossierNumber: dossier.dossierNumber, created }, 'dossier accepted');
  return { dossierId: dossier.id, dossierNumber: dossier.dossierNumber, workflowId, created };
}

async function startGroupWorkflow(
  deps: IntakeDependencies,
  input: GroupWorkflowInput,
  dossier: { workflowId: string; provinceCode: string; communeCode: string },
): Promise<void> {
  try {
    await deps.temporal.workflow.start(workflowTypes.procedureGroup, {
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      workflowId: dossier.workflowId,
      args: [input],
      // A running workflow for this dossier is the one we want; a finished one is never started again.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: searchAttributes.procedureGroup, value: input.group },
        { key: searchAttributes.dossierNumber, value: input.dossierNumber },
        { key: searchAttributes.dossierStatus, value: 'IN_PROGRESS' },
        { key: searchAttributes.provinceCode, value: dossier.provinceCode },
        { key: searchAttributes.communeCode, value: dossier.communeCode },
      ],
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    deps.logger.error({ err: (error as Error).message, dossierNumber: input.dossierNumber }, 'could not start the workflow');
    throw new ProblemError(503, 'Workflow service unavailable', 'the dossier is recorded; submit it again to finish starting it');
  }
}
