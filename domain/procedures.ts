/**
 * The procedure groups of Nghị định 63/2024/NĐ-CP as data: which steps exist, which agency role does
 * each, what each waits for, which the citizen may leave out and what undoes each. One generic
 * workflow interprets these definitions; adding a group is adding a definition.
 *
 * Definitions are versioned: a running workflow keeps the version it started with, so changing a
 * definition (a new step, another dependency) only affects dossiers received after the change.
 *
 * Imported by workflows: keep this module deterministic (no I/O, no clock, no Node APIs).
 */
export const procedureGroups = ['BIRTH', 'DEATH'] as const;
export type ProcedureGroup = (typeof procedureGroups)[number];

export const agencyRoles = [
  'CIVIL_STATUS', // commune civil-status officer (UBND xã, tư pháp–hộ tịch)
  'POPULATION_DATABASE', // National Population Database (C06)
  'COMMUNE_POLICE', // Công an xã
  'SOCIAL_SECURITY', // BHXH
  'SOCIAL_AFFAIRS', // labour–social affairs body
  'MERITORIOUS_SERVICE', // body for people with meritorious service
] as const;
export type AgencyRole = (typeof agencyRoles)[number];

export const stepCodes = [
  'BIRTH_REGISTRATION',
  'PERSONAL_ID',
  'PERMANENT_RESIDENCE',
  'CHILD_HEALTH_INSURANCE',
  'DEATH_REGISTRATION',
  'RESIDENCE_REMOVAL',
  'FUNERAL_ALLOWANCE',
  'SURVIVOR_BENEFIT',
] as const;
export type StepCode = (typeof stepCodes)[number];

/** How an agency undoes its act when an earlier act becomes invalid or the citizen withdraws. */
export const compensationCodes = [
  'CANCEL_BIRTH_REGISTRATION',
  'CANCEL_PERSONAL_ID', // hủy số định danh cá nhân (Thông tư 59/2021/TT-BCA)
  'REVOKE_RESIDENCE_ENTRY',
  'INVALIDATE_HEALTH_INSURANCE_CARD',
  'CANCEL_DEATH_REGISTRATION',
  'RESTORE_RESIDENCE',
  'REVOKE_FUNERAL_ALLOWANCE',
  'REVOKE_SURVIVOR_BENEFIT',
] as const;
export type CompensationCode = (typeof compensationCodes)[number];

/** The agency of a step: fixed, or chosen from the dossier (funeral allowance by the deceased's category). */
export type AgencyAssignment = AgencyRole | { routedBy: 'funeralAllowanceCategory' };

export interface StepDefinition {
  code: StepCode;
  agency: AgencyAssignment;
  /** Steps that must complete before this one starts; steps without a path between them run in parallel. */
  dependsOn: readonly StepCode[];
  /** The citizen may leave this step out of the group. */
  optional: boolean;
  /** What undoes this step's act; absent when there is nothing to undo. */
  compensation?: CompensationCode;
  /**
   * Working days the agency has for this step, counted from when the step starts (a start after the
   * cut-off hour counts from the next working day). The birth steps share QĐ 296's three days.
   */
  deadlineWorkingDays: number;
  /** Vietnamese name, for people reading the dossier. */
  title: string;
}

export interface GroupDefinition {
  group: ProcedureGroup;
  version: number;
  title: string;
  /** The fewest optional steps the citizen must choose (a death group is 2, 3 or 4 procedures). */
  minimumOptionalSteps: number;
  steps: readonly StepDefinition[];
}

const birthGroupV1: GroupDefinition = {
  group: 'BIRTH',
  version: 1,
  title: 'Liên thông đăng ký khai sinh, cấp số định danh cá nhân, đăng ký thường trú, cấp thẻ BHYT cho trẻ em dưới 6 tuổi',
  minimumOptionalSteps: 0,
  steps: [
    { code: 'BIRTH_REGISTRATION', agency: 'CIVIL_STATUS', dependsOn: [], optional: false, compensation: 'CANCEL_BIRTH_REGISTRATION', deadlineWorkingDays: 1, title: 'Đăng ký khai sinh' },
    { code: 'PERSONAL_ID', agency: 'POPULATION_DATABASE', dependsOn: ['BIRTH_REGISTRATION'], optional: false, compensation: 'CANCEL_PERSONAL_ID', deadlineWorkingDays: 1, title: 'Cấp số định danh cá nhân' },
    { code: 'PERMANENT_RESIDENCE', agency: 'COMMUNE_POLICE', dependsOn: ['PERSONAL_ID'], optional: true, compensation: 'REVOKE_RESIDENCE_ENTRY', deadlineWorkingDays: 2, title: 'Đăng ký thường trú' },
    { code: 'CHILD_HEALTH_INSURANCE', agency: 'SOCIAL_SECURITY', dependsOn: ['PERSONAL_ID'], optional: true, compensation: 'INVALIDATE_HEALTH_INSURANCE_CARD', deadlineWorkingDays: 2, title: 'Cấp thẻ BHYT cho trẻ em dưới 6 tuổi' },
  ],
};

const deathGroupV1: GroupDefinition = {
  group: 'DEATH',
  version: 1,
  title: 'Liên thông đăng ký khai tử, xóa đăng ký thường trú, trợ cấp mai táng phí, trợ cấp tuất',
  minimumOptionalSteps: 1,
  steps: [
    { code: 'DEATH_REGISTRATION', agency: 'CIVIL_STATUS', dependsOn: [], optional: false, compensation: 'CANCEL_DEATH_REGISTRATION', deadlineWorkingDays: 1, title: 'Đăng ký khai tử' },
    { code: 'RESIDENCE_REMOVAL', agency: 'COMMUNE_POLICE', dependsOn: ['DEATH_REGISTRATION'], optional: true, compensation: 'RESTORE_RESIDENCE', deadlineWorkingDays: 5, title: 'Xóa đăng ký thường trú' },
    { code: 'FUNERAL_ALLOWANCE', agency: { routedBy: 'funeralAllowanceCategory' }, dependsOn: ['DEATH_REGISTRATION'], optional: true, compensation: 'REVOKE_FUNERAL_ALLOWANCE', deadlineWorkingDays: 3, title: 'Trợ cấp mai táng phí' },
    { code: 'SURVIVOR_BENEFIT', agency: 'SOCIAL_SECURITY', dependsOn: ['DEATH_REGISTRATION'], optional: true, compensation: 'REVOKE_SURVIVOR_BENEFIT', deadlineWorkingDays: 3, title: 'Trợ cấp tuất' },
  ],
};

/** Every version ever published stays here: running workflows may still use it. */
const definitions: readonly GroupDefinition[] = [birthGroupV1, deathGroupV1];

export function currentDefinition(group: ProcedureGroup): GroupDefinition {
  const versions = definitions.filter((d) => d.group === group);
  const latest = versions.reduce<GroupDefinition | undefined>((a, d) => (!a || d.version > a.version ? d : a), undefined);
  if (!latest) throw new Error(`No definition for procedure group ${group}`);
  return latest;
}

export function groupDefinition(group: ProcedureGroup, version?: number): GroupDefinition {
  if (version === undefined) return currentDefinition(group);
  const found = definitions.find((d) => d.group === group && d.version === version);
  if (!found) throw new Error(`No definition ${group} v${version}`);
  return found;
}

export function stepDefinition(group: ProcedureGroup, step: StepCode, version?: number): StepDefinition {
  const found = groupDefinition(group, version).steps.find((s) => s.code === step);
  if (!found) throw new Error(`Step ${step} is not part of group ${group}`);
  return found;
}

/**
 * The steps a dossier runs: the mandatory ones plus the optional ones the citizen chose, in definition
 * order. Rejects a choice that names unknown steps, too few optional steps, or leaves out a step
 * another chosen step needs.
 */
export function planSteps(definition: GroupDefinition, chosenOptional: readonly StepCode[]): StepDefinition[] {
  for (const code of chosenOptional) {
    const step = definition.steps.find((s) => s.code === code);
    if (!step) throw new Error(`Step ${code} is not part of group ${definition.group}`);
    if (!step.optional) throw new Error(`Step ${code} is always part of group ${definition.group}`);
  }
  if (new Set(chosenOptional).size < definition.minimumOptionalSteps) {
    throw new Error(`Group ${definition.group} needs at least ${definition.minimumOptionalSteps} optional procedure(s)`);
  }
  const plan = definition.steps.filter((s) => !s.optional || chosenOptional.includes(s.code));
  const planned = new Set(plan.map((s) => s.code));
  for (const step of plan) {
    const missing = step.dependsOn.filter((d) => !planned.has(d));
    if (missing.length > 0) throw new Error(`Step ${step.code} needs ${missing.join(', ')}`);
  }
  return plan;
}

/**
 * Every (agency, step) pair a published definition can produce: a step's own agency, or any agency
 * for a step routed by the intake's data. Lets a query name the few pairs a filter means.
 */
export const agencyStepPairs: readonly (readonly [AgencyRole, StepCode])[] = [
  ...new Map(
    definitions.flatMap((d) => d.steps).flatMap((s) => (typeof s.agency === 'string' ? [s.agency] : agencyRoles).map((agency) => [`${agency}:${s.code}`, [agency, s.code] as const] as const)),
  ).values(),
];
