import { z } from 'zod';
import { funeralAllowance } from '../funeral-allowance';
import type { AgencyRole, StepDefinition, StepCode } from '../procedures';
import { birthIntakeSchema, birthOptionalSteps, underSixOn, type BirthIntake } from './birth';
import { deathIntakeSchema, deathOptionalSteps, type DeathIntake } from './death';
import { checkOfficeCode, checkReceipt, isCalendarDate, vietnamDate } from './common';

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

export { birthIntakeSchema, deathIntakeSchema, underSixOn, type BirthIntake, type DeathIntake };
export * from './common';

/**
 * When a submitted dossier's eligibility (the card: a child under 6) is judged. The desk's
 * `receivedAt` is its own word: kept as the receipt time (a backlog only makes the group due sooner),
 * but believed for eligibility only as far back as a record not of the desk's making vouches — the
 * API's receipt of a health facility's notice that the dossier confirms. Otherwise the API's own
 * clock: a receipt dated back could grant a card to a child who is 6 by now.
 */
export function eligibilityInstant(intake: Pick<Intake, 'receivedAt'>, now: Date, vouchedSince?: Date): Date {
  if (!vouchedSince || !intake.receivedAt) return now;
  return new Date(Math.min(now.getTime(), Math.max(Date.parse(intake.receivedAt), vouchedSince.getTime())));
}

/** What the intake asks for that it is not eligible to as of `on`: each on its field, with the day it was judged on. */
export function eligibilityIssues(intake: Intake, on: Date): { path: string[]; message: string }[] {
  if (intake.group !== 'BIRTH' || !intake.procedures.healthInsurance || !isCalendarDate(intake.child.dateOfBirth)) return [];
  if (underSixOn(intake.child.dateOfBirth, on)) return [];
  const day = vietnamDate(on);
  const claimedEarlier = intake.receivedAt !== undefined && vietnamDate(new Date(intake.receivedAt)) < day;
  return [
    {
      path: ['procedures', 'healthInsurance'],
      message: claimedEarlier
        ? `only for a child under 6 on the day of receipt, judged as of ${day}: an earlier receivedAt counts only as far back as a facility's notice vouches`
        : `only for a child under 6 on the day of receipt, judged as of ${day}`,
    },
  ];
}

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
