import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { assignedAgency, chosenOptionalSteps, eligibilityInstant, eligibilityIssues, type Intake } from '../domain/intake';
import { currentDefinition, planSteps, type StepCode } from '../domain/procedures';
import type { WorkingCalendar } from '../domain/working-days';
import { stepModeFor } from '../domain/step-modes';
import type { Config } from '../runtime/config';
import { Prisma, type Database, type Dossier } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import { searchAttributes, workflowIdFor, workflowTypes, type GroupWorkflowInput } from '../workflows/contract';
import { digest } from './canonical-json';
import { ProblemError } from './problem';
import type { IssuedReceiptCode, ReceiptCodes } from './receipt-codes';
import { createOnce } from './create-once';
import { startWorkflowOnce } from './temporal-calls';
import { onlineJurisdictionIssues } from '../domain/portal-identity';

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
    | 'APOLOGY_AUTOMATIC_AFTER_MINUTES'
    | 'APOLOGY_DEFAULT_WORKING_DAYS'
    | 'VERIFICATION_GROUP_DEADLINE_WORKING_DAYS'
    | 'MANUAL_STEPS'
  >;
  logger: Logger;
}

export interface IntakeReceipt {
  dossierId: string;
  dossierNumber: string;
  workflowId: string;
  created: boolean;
  /**
   * The code for the citizen's receipt, on the answer that created the dossier only: just its hash is
   * kept, so a repeated intake cannot show it again and does not replace it (the clerk issues a new
   * one on purpose, `POST /v1/dossiers/{n}/receipt-code`).
   */
  receiptCode: string | null;
  receivedAt: Date;
  dueAt: Date;
  /** False when Temporal was unavailable: the dossier is recorded and its workflow starts automatically. */
  workflowStarted: boolean;
}

/**
 * Records the dossier and starts its workflow. The dossier number is the idempotency key: the same
 * intake submitted again (a double click, a retry after a timeout) returns the first dossier and
 * workflow; a different intake under a number already used is a conflict.
 *
 * The dossier row is written first, in one transaction with its steps; it is the outbox of the
 * workflow's start. The start is then tried once under a short deadline; if Temporal is unreachable
 * the dossier stays accepted and the intake reconciler (`intake-reconciler.ts`) starts it later.
 */
export interface IntakeOptions {
  /**
   * When a record not of the desk's making (the API's receipt of the facility's notice the dossier
   * confirms) shows the family's application under way: the desk's receivedAt is believed for
   * eligibility back to that instant, no further. Absent: eligibility is judged as of now.
   */
  vouchedSince?: Date;
  /** Filed on the national public service portal: its dossier code, said in every status message back. */
  portalCode?: string;
}

export async function submitIntake(deps: IntakeDependencies & { receiptCodes: ReceiptCodes }, intake: Intake, options: IntakeOptions = {}): Promise<IntakeReceipt> {
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

  let issued: IssuedReceiptCode | undefined;
  const { row: dossier, created } = await createOnce(
    () => deps.db.dossier.findUnique({ where: { dossierNumber: intake.dossierNumber } }),
    () => {
      // Judged when the dossier is first written: a repeat of a recorded intake answers as the first
      // time, even once the child has turned 6 since.
      const ineligible = eligibilityIssues(intake, eligibilityInstant(intake, new Date(), options.vouchedSince));
      if (ineligible.length > 0) {
        throw new ProblemError(
          400,
          'Invalid request',
          'the dossier asks for a procedure it is not eligible to',
          ineligible.map((issue) => ({ field: `body.${issue.path.join('.')}`, reason: issue.message })),
        );
      }
      // Online, the citizen names the commune (at a desk it is the clerk's own): judged here too, once.
      const misplaced = options.portalCode ? onlineJurisdictionIssues(intake) : [];
      if (misplaced.length > 0) throw new ProblemError(400, 'Invalid request', "the birth is registered in the commune of a parent's residence", misplaced);
      // Written with the dossier, in its one statement: never a dossier whose code was handed out but not kept.
      issued = deps.receiptCodes.issue(intake.dossierNumber);
      return deps.db.dossier.create({
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
          receiptCodeHash: issued.hash,
          receiptCodeIssuedAt: new Date(),
          steps: { create: assigned.map((s) => ({ id: randomUUID(), step: s.code, agency: s.agency, mode: modeOf(s.agency) })) },
          events: { create: { type: 'DOSSIER_RECEIVED', detail: { steps: plan.map((s) => s.code) } } },
          // Its row's trigger records the reception for the portal, in this same statement.
          ...(options.portalCode ? { portal: { create: { portalCode: options.portalCode } } } : {}),
        },
      });
    },
  );
  const receiptCode = created && issued ? issued.code : null;
  if (dossier.intakeDigest !== intakeDigest) {
    throw new ProblemError(409, 'Dossier number already used', `dossier ${intake.dossierNumber} was submitted with different content`, [
      { field: 'dossierNumber', reason: 'already used by another intake' },
    ]);
  }

  const notStarted = await startDossierWorkflow(deps, dossier);
  if (notStarted) deps.logger.warn({ err: notStarted.message, dossierNumber: dossier.dossierNumber }, 'workflow not started yet; the intake reconciler will start it');
  const workflowStarted = notStarted === undefined;
  deps.logger.info({ dossierNumber: dossier.dossierNumber, created, workflowStarted }, 'dossier accepted');
  return { dossierId: dossier.id, dossierNumber: dossier.dossierNumber, workflowId, created, receiptCode, receivedAt: dossier.receivedAt, dueAt: dossier.dueAt, workflowStarted };
}

/** What the workflow is started with, from configuration and the dossier's rows alone (intake and reconciler). */
export async function groupWorkflowInput(deps: Pick<IntakeDependencies, 'db' | 'calendar' | 'config'>, dossier: Dossier): Promise<GroupWorkflowInput> {
  // Read back from the rows, so a later start uses the modes first recorded.
  const modes = (await deps.db.dossierStep.findMany({ where: { dossierId: dossier.id, mode: 'MANUAL' }, select: { step: true, mode: true } })) as {
    step: StepCode;
    mode: 'MANUAL';
  }[];
  return {
    dossierId: dossier.id,
    dossierNumber: dossier.dossierNumber,
    group: dossier.procedureGroup,
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
    appointments: {
      dueAt: dossier.dueAt.getTime(),
      autoApologyAfterMs: deps.config.APOLOGY_AUTOMATIC_AFTER_MINUTES * 60_000,
      apologyWorkingDays: deps.config.APOLOGY_DEFAULT_WORKING_DAYS,
      verificationWorkingDays: deps.config.VERIFICATION_GROUP_DEADLINE_WORKING_DAYS,
    },
  };
}

/**
 * Starts the dossier's workflow under a short deadline and records that Temporal accepted it. Returns
 * why Temporal did not take it (unavailable, or refusing it), undefined once it has it: the row then
 * stays in the outbox (`workflowStartedAt` null) for the intake reconciler. Idempotent: fixed workflow
 * ID, *use existing* on conflict.
 */
export async function startDossierWorkflow(deps: IntakeDependencies, dossier: Dossier): Promise<Error | undefined> {
  if (dossier.workflowStartedAt) return undefined;
  const input = await groupWorkflowInput(deps, dossier);
  const refused = await startWorkflowOnce(deps.temporal, workflowTypes.procedureGroup, {
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    workflowId: dossier.workflowId,
    args: [input],
    typedSearchAttributes: [
      { key: searchAttributes.procedureGroup, value: input.group },
      { key: searchAttributes.dossierNumber, value: input.dossierNumber },
      { key: searchAttributes.dossierStatus, value: 'IN_PROGRESS' },
      { key: searchAttributes.provinceCode, value: dossier.provinceCode },
      { key: searchAttributes.communeCode, value: dossier.communeCode },
    ],
  });
  if (refused) return refused;
  await deps.db.dossier.updateMany({ where: { id: dossier.id, workflowStartedAt: null }, data: { workflowStartedAt: new Date() } });
  return undefined;
}
