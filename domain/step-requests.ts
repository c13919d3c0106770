import type { StepResults } from './agency-contract';
import { funeralAllowance } from './funeral-allowance';
import type { BirthIntake, DeathIntake, Intake } from './intake';
import type { StepCode } from './procedures';

/**
 * What each step sends to its agency: built from the dossier's intake and the results of the steps
 * before it, so no officer re-types data another agency already holds.
 */
export interface StepContext {
  intake: Intake;
  results: Partial<StepResults>;
  /** References of documents the citizen supplied after an agency asked for them. */
  supplements: string[];
}

function birth({ intake }: StepContext): BirthIntake {
  if (intake.group !== 'BIRTH') throw new Error('not a birth dossier');
  return intake;
}

function death({ intake }: StepContext): DeathIntake {
  if (intake.group !== 'DEATH') throw new Error('not a death dossier');
  return intake;
}

function resultOf<S extends StepCode>(ctx: StepContext, step: S): StepResults[S] {
  const result = ctx.results[step];
  if (result === undefined) throw new Error(`${step} has no result yet`);
  return result;
}

export const stepRequests: Record<StepCode, (ctx: StepContext) => unknown> = {
  BIRTH_REGISTRATION: (ctx) => {
    const intake = birth(ctx);
    const parent = (role: 'MOTHER' | 'FATHER', p: BirthIntake['mother']) =>
      p ? [{ role, fullName: p.fullName, personalIdNumber: p.personalIdNumber }] : [];
    return {
      jurisdiction: intake.jurisdiction,
      child: intake.child,
      parents: [...parent('MOTHER', intake.mother), ...parent('FATHER', intake.father)],
      birthCertificateNumber: intake.birthCertificate.number,
      supplements: ctx.supplements,
    };
  },

  PERSONAL_ID: (ctx) => {
    const intake = birth(ctx);
    return {
      birthRegistrationNumber: resultOf(ctx, 'BIRTH_REGISTRATION').registrationNumber,
      provinceCode: intake.jurisdiction.provinceCode,
      fullName: intake.child.fullName,
      sex: intake.child.sex,
      dateOfBirth: intake.child.dateOfBirth,
    };
  },

  PERMANENT_RESIDENCE: (ctx) => {
    const intake = birth(ctx);
    if (!intake.residence) throw new Error('dossier has no residence address');
    const { headOfHouseholdConsent, ...address } = intake.residence;
    return {
      personalIdNumber: resultOf(ctx, 'PERSONAL_ID').personalIdNumber,
      fullName: intake.child.fullName,
      address,
      headOfHouseholdConsent,
      supplements: ctx.supplements,
    };
  },

  CHILD_HEALTH_INSURANCE: (ctx) => {
    const intake = birth(ctx);
    if (!intake.healthInsurance) throw new Error('dossier has no initial health facility');
    return {
      personalIdNumber: resultOf(ctx, 'PERSONAL_ID').personalIdNumber,
      fullName: intake.child.fullName,
      dateOfBirth: intake.child.dateOfBirth,
      provinceCode: intake.jurisdiction.provinceCode,
      initialFacilityCode: intake.healthInsurance.initialFacilityCode,
    };
  },

  DEATH_REGISTRATION: (ctx) => {
    const intake = death(ctx);
    return {
      jurisdiction: intake.jurisdiction,
      deceased: intake.deceased,
      deathNoticeNumber: intake.deathNotice.number,
      requester: { fullName: intake.requester.fullName, personalIdNumber: intake.requester.personalIdNumber, relationship: intake.requester.relationship },
      supplements: ctx.supplements,
    };
  },

  RESIDENCE_REMOVAL: (ctx) => {
    const intake = death(ctx);
    return {
      personalIdNumber: intake.deceased.personalIdNumber,
      deathRegistrationNumber: resultOf(ctx, 'DEATH_REGISTRATION').registrationNumber,
      dateOfDeath: intake.deceased.dateOfDeath,
    };
  },

  FUNERAL_ALLOWANCE: (ctx) => {
    const intake = death(ctx);
    if (!intake.funeralAllowance) throw new Error('dossier has no funeral-allowance data');
    const allowance = funeralAllowance(intake.funeralAllowance.categories, intake.deceased.dateOfDeath);
    return {
      personalIdNumber: intake.deceased.personalIdNumber,
      deathRegistrationNumber: resultOf(ctx, 'DEATH_REGISTRATION').registrationNumber,
      dateOfDeath: intake.deceased.dateOfDeath,
      category: allowance.category,
      amount: allowance.amount,
      payee: intake.funeralAllowance.payee,
      supplements: ctx.supplements,
    };
  },

  SURVIVOR_BENEFIT: (ctx) => {
    const intake = death(ctx);
    if (!intake.survivorBenefit) throw new Error('dossier has no survivors');
    return {
      personalIdNumber: intake.deceased.personalIdNumber,
      deathRegistrationNumber: resultOf(ctx, 'DEATH_REGISTRATION').registrationNumber,
      dateOfDeath: intake.deceased.dateOfDeath,
      survivors: intake.survivorBenefit.survivors,
      supplements: ctx.supplements,
    };
  },
};
