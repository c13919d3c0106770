import { z } from 'zod';
import { funeralAllowance } from '../funeral-allowance';
import type { AgencyRole, StepDefinition, StepCode } from '../procedures';
import { birthIntakeSchema, birthOptionalSteps, type BirthIntake } from './birth';
import { deathIntakeSchema, deathOptionalSteps, type DeathIntake } from './death';
import { checkOfficeCode, checkReceipt } from './common';

/**
 * What a commune desk (or the national portal) submits to start a procedure group. One schema shared
 * by the API (validation, OpenAPI) and the activities (reading the stored dossier back).
 */
export const intakeSchema = z.discriminatedUnion('group', [birthIntakeSchema, deathIntakeSchema]);
export type Intake = z.infer<typeof intakeSchema>;

/**
 * What the API accepts: an intake under a number of its own commune, whose receipt time is believable
 * now. Rules about the moment of submission are checked here only: a stored intake is never re-judged.
 */
export const intakeSubmissionSchema = intakeSchema.superRefine((intake, ctx) => {
  checkOfficeCode(intake, ctx);
  checkReceipt(intake, ctx);
});

export { birthIntakeSchema, deathIntakeSchema, type BirthIntake, type DeathIntake };
export * from './common';

/** The optional steps the citizen chose, as step codes of the group definition. */
export function chosenOptionalSteps(intake: Intake): StepCode[] {
  return intake.group === 'BIRTH' ? birthOptionalSteps(intake) : deathOptionalSteps(intake);
}

/** The agency that does a step for this dossier (the funeral allowance goes to the highest-paying body). */
export function assignedAgency(step: StepDefinition, intake: Intake): AgencyRole {
  if (typeof step.agency === 'string') return step.agency;
  if (intake.group !== 'DEATH' || !intake.funeralAllowance) throw new Error(`step ${step.code} needs funeral-allowance data`);
  return funeralAllowance(intake.funeralAllowance.categories, intake.deceased.dateOfDeath).agency;
}
