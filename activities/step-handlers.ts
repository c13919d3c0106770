import type { AgencyGateway } from './agency-gateway';
import type { BirthRegistrationResult, PersonalIdResult } from '../domain/agency-contract';
import type { Intake } from '../domain/intake';
import type { StepCode } from '../domain/procedures';

/**
 * What each step sends to its agency: built from the dossier's intake and the results of the steps
 * before it, so no officer re-types data another agency already holds.
 */
export interface StepContext {
  intake: Intake;
  results: Partial<Record<StepCode, unknown>>;
  idempotencyKey: string;
}

export type StepHandler = (agencies: AgencyGateway, ctx: StepContext) => Promise<unknown>;

function resultOf<T>(ctx: StepContext, step: StepCode): T {
  const result = ctx.results[step];
  if (result === undefined) throw new Error(`${step} has no result yet`);
  return result as T;
}

export const stepHandlers: Record<StepCode, StepHandler> = {
  BIRTH_REGISTRATION: (agencies, { intake, idempotencyKey }) =>
    agencies.registerBirth(
      {
        jurisdiction: intake.jurisdiction,
        child: intake.child,
        parents: [
          ...(intake.mother ? [{ role: 'MOTHER' as const, fullName: intake.mother.fullName, personalIdNumber: intake.mother.personalIdNumber }] : []),
          ...(intake.father ? [{ role: 'FATHER' as const, fullName: intake.father.fullName, personalIdNumber: intake.father.personalIdNumber }] : []),
        ],
        birthCertificateNumber: intake.birthCertificate.number,
      },
      idempotencyKey,
    ),

  PERSONAL_ID: (agencies, ctx) =>
    agencies.issuePersonalId(
      {
        birthRegistrationNumber: resultOf<BirthRegistrationResult>(ctx, 'BIRTH_REGISTRATION').registrationNumber,
        provinceCode: ctx.intake.jurisdiction.provinceCode,
        fullName: ctx.intake.child.fullName,
        sex: ctx.intake.child.sex,
        dateOfBirth: ctx.intake.child.dateOfBirth,
      },
      ctx.idempotencyKey,
    ),

  PERMANENT_RESIDENCE: (agencies, ctx) => {
    const residence = ctx.intake.residence;
    if (!residence) throw new Error('dossier has no residence address');
    return agencies.registerPermanentResidence(
      {
        personalIdNumber: resultOf<PersonalIdResult>(ctx, 'PERSONAL_ID').personalIdNumber,
        fullName: ctx.intake.child.fullName,
        address: { line: residence.line, communeCode: residence.communeCode, provinceCode: residence.provinceCode },
        headOfHouseholdConsent: residence.headOfHouseholdConsent,
      },
      ctx.idempotencyKey,
    );
  },

  CHILD_HEALTH_INSURANCE: (agencies, ctx) => {
    const insurance = ctx.intake.healthInsurance;
    if (!insurance) throw new Error('dossier has no initial health facility');
    return agencies.issueChildHealthInsuranceCard(
      {
        personalIdNumber: resultOf<PersonalIdResult>(ctx, 'PERSONAL_ID').personalIdNumber,
        fullName: ctx.intake.child.fullName,
        dateOfBirth: ctx.intake.child.dateOfBirth,
        provinceCode: ctx.intake.jurisdiction.provinceCode,
        initialFacilityCode: insurance.initialFacilityCode,
      },
      ctx.idempotencyKey,
    );
  },
};
