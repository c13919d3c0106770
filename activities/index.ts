import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Database } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import { intakeSchema } from '../domain/intake';
import type { StepCode } from '../domain/procedures';
import { nonRetryableAgencyError, type GroupOutcomeStatus, type StepOutcomeStatus } from '../workflows/contract';
import { AgencyContractError, AgencyRefusal, type AgencyGateway } from './agency-gateway';
import { stepHandlers } from './step-handlers';

export interface ActivityDependencies {
  db: Database;
  agencies: AgencyGateway;
  logger: Logger;
}

export interface StepRef {
  dossierId: string;
  step: StepCode;
}

/** What the workflow learns of a step: its status only. Results with personal data stay in the database. */
export interface StepResult {
  status: Extract<StepOutcomeStatus, 'COMPLETED' | 'REFUSED'>;
  refusalCode?: string;
}

export type DossierActivities = ReturnType<typeof createActivities>;

/**
 * Activities built from their clients, so tests hand in fakes and the worker the real ones.
 * Every write keeps the read model (what the API serves) in step with the workflow.
 */
export function createActivities({ db, agencies, logger }: ActivityDependencies) {
  return {
    /** Calls the step's agency once per attempt; Temporal retries transient failures. */
    async performStep({ dossierId, step }: StepRef): Promise<StepResult> {
      const { attempt } = Context.current().info;
      const dossier = await db.dossier.findUniqueOrThrow({ where: { id: dossierId }, include: { steps: true } });
      const current = dossier.steps.find((s) => s.step === step);
      if (!current) throw ApplicationFailure.nonRetryable(`dossier has no step ${step}`, 'UnknownStep');
      // A completed attempt whose answer was lost on the way back to the workflow: report it again.
      if (current.status === 'COMPLETED') return { status: 'COMPLETED' };
      if (current.status === 'REFUSED') return { status: 'REFUSED', refusalCode: current.refusalCode ?? undefined };

      const log = logger.child({ dossierNumber: dossier.dossierNumber, step, attempt });
      const now = new Date();
      await db.$transaction([
        db.dossierStep.update({
          where: { id: current.id },
          data: { status: 'RUNNING', attempts: attempt, startedAt: current.startedAt ?? now },
        }),
        db.dossier.update({ where: { id: dossierId }, data: { status: 'IN_PROGRESS' } }),
      ]);

      const results = Object.fromEntries(dossier.steps.filter((s) => s.result !== null).map((s) => [s.step, s.result]));
      try {
        const result = await stepHandlers[step](agencies, {
          intake: intakeSchema.parse(dossier.intake),
          results,
          idempotencyKey: `${dossier.dossierNumber}:${step}`,
        });
        await db.$transaction([
          db.dossierStep.update({
            where: { id: current.id },
            data: { status: 'COMPLETED', result: result as object, lastError: null, finishedAt: new Date() },
          }),
          db.dossierEvent.create({ data: { dossierId, type: 'STEP_COMPLETED', step, detail: { attempt } } }),
        ]);
        log.info('step completed');
        return { status: 'COMPLETED' };
      } catch (error) {
        if (error instanceof AgencyRefusal) {
          await db.$transaction([
            db.dossierStep.update({
              where: { id: current.id },
              data: { status: 'REFUSED', refusalCode: error.code, refusalReason: error.message, finishedAt: new Date() },
            }),
            db.dossierEvent.create({ data: { dossierId, type: 'STEP_REFUSED', step, detail: { code: error.code } } }),
          ]);
          log.info({ refusalCode: error.code }, 'step refused by the agency');
          return { status: 'REFUSED', refusalCode: error.code };
        }
        const message = (error as Error).message;
        await db.dossierStep.update({ where: { id: current.id }, data: { lastError: message } });
        log.warn({ err: message }, 'step attempt failed');
        if (error instanceof AgencyContractError) throw ApplicationFailure.nonRetryable(message, nonRetryableAgencyError);
        throw error;
      }
    },

    /** Records an outcome the workflow decided (a blocked step, a step that failed after its retries). */
    async recordStepOutcome({ dossierId, step, status, error }: StepRef & { status: 'BLOCKED' | 'FAILED'; error?: string }): Promise<void> {
      await db.$transaction([
        db.dossierStep.update({
          where: { dossierId_step: { dossierId, step } },
          data: { status, finishedAt: new Date(), ...(error === undefined ? {} : { lastError: error }) },
        }),
        db.dossierEvent.create({ data: { dossierId, type: `STEP_${status}`, step, detail: error ? { error } : {} } }),
      ]);
    },

    async recordGroupOutcome({ dossierId, status }: { dossierId: string; status: GroupOutcomeStatus }): Promise<void> {
      await db.$transaction([
        db.dossier.update({ where: { id: dossierId }, data: { status, completedAt: new Date() } }),
        db.dossierEvent.create({ data: { dossierId, type: 'GROUP_ENDED', detail: { status } } }),
      ]);
    },
  };
}
