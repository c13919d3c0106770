/**
 * The procedure groups of Nghị định 63/2024/NĐ-CP as data: which steps exist, which agency role does
 * each, what each waits for, and which the citizen may leave out. The group workflow interprets these
 * definitions; it holds no knowledge of any particular procedure.
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
] as const;
export type StepCode = (typeof stepCodes)[number];

export interface StepDefinition {
  code: StepCode;
  agency: AgencyRole;
  /** Steps that must complete before this one starts; steps without a path between them run in parallel. */
  dependsOn: readonly StepCode[];
  /** The citizen may leave this step out of the group. */
  optional: boolean;
  /** Vietnamese name, for people reading the dossier. */
  title: string;
}

export interface GroupDefinition {
  group: ProcedureGroup;
  title: string;
  steps: readonly StepDefinition[];
}

export const birthGroup: GroupDefinition = {
  group: 'BIRTH',
  title: 'Liên thông đăng ký khai sinh, cấp số định danh cá nhân, đăng ký thường trú, cấp thẻ BHYT cho trẻ em dưới 6 tuổi',
  steps: [
    { code: 'BIRTH_REGISTRATION', agency: 'CIVIL_STATUS', dependsOn: [], optional: false, title: 'Đăng ký khai sinh' },
    { code: 'PERSONAL_ID', agency: 'POPULATION_DATABASE', dependsOn: ['BIRTH_REGISTRATION'], optional: false, title: 'Cấp số định danh cá nhân' },
    { code: 'PERMANENT_RESIDENCE', agency: 'COMMUNE_POLICE', dependsOn: ['PERSONAL_ID'], optional: true, title: 'Đăng ký thường trú' },
    { code: 'CHILD_HEALTH_INSURANCE', agency: 'SOCIAL_SECURITY', dependsOn: ['PERSONAL_ID'], optional: true, title: 'Cấp thẻ BHYT cho trẻ em dưới 6 tuổi' },
  ],
};

const definitions: Record<ProcedureGroup, GroupDefinition | undefined> = { BIRTH: birthGroup, DEATH: undefined };

export function groupDefinition(group: ProcedureGroup): GroupDefinition {
  const definition = definitions[group];
  if (!definition) throw new Error(`No definition for procedure group ${group}`);
  return definition;
}

export function stepDefinition(group: ProcedureGroup, step: StepCode): StepDefinition {
  const found = groupDefinition(group).steps.find((s) => s.code === step);
  if (!found) throw new Error(`Step ${step} is not part of group ${group}`);
  return found;
}

/**
 * The steps a dossier runs: the mandatory ones plus the optional ones the citizen chose, in definition
 * order. Rejects a choice that names unknown steps or leaves out a step another chosen step needs.
 */
export function planSteps(definition: GroupDefinition, chosenOptional: readonly StepCode[]): StepDefinition[] {
  for (const code of chosenOptional) {
    const step = definition.steps.find((s) => s.code === code);
    if (!step) throw new Error(`Step ${code} is not part of group ${definition.group}`);
    if (!step.optional) throw new Error(`Step ${code} is always part of group ${definition.group}`);
  }
  const plan = definition.steps.filter((s) => !s.optional || chosenOptional.includes(s.code));
  const planned = new Set(plan.map((s) => s.code));
  for (const step of plan) {
    const missing = step.dependsOn.filter((d) => !planned.has(d));
    if (missing.length > 0) throw new Error(`Step ${step.code} needs ${missing.join(', ')}`);
  }
  return plan;
}
