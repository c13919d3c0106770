import { authorize, canAccessDossier, canActOnTask, canSupervise, type Action, type AuthorizationRequest } from '../../domain/authorization';
import type { Place, Principal } from '../../domain/principal';

/**
 * The authorization matrix, written out by hand: every role × every action × where the target lies
 * relative to the principal. It is the specification; the code under test must agree with it.
 */
const principals = {
  clerk: { role: 'CLERK', subject: 'clerk-1', agency: 'CIVIL_STATUS', jurisdiction: { scope: 'COMMUNE', provinceCode: '79', communeCode: '26743' } },
  civilStatusOfficer: { role: 'AGENCY_OFFICER', subject: 'cs-1', agency: 'CIVIL_STATUS', jurisdiction: { scope: 'COMMUNE', provinceCode: '79', communeCode: '26743' } },
  populationSystem: { role: 'AGENCY_SYSTEM', subject: 'c06', agency: 'POPULATION_DATABASE', jurisdiction: { scope: 'NATIONAL' } },
  policeOfficer: { role: 'AGENCY_OFFICER', subject: 'police-1', agency: 'COMMUNE_POLICE', jurisdiction: { scope: 'COMMUNE', provinceCode: '79', communeCode: '26743' } },
  socialSecurityOfficer: { role: 'AGENCY_OFFICER', subject: 'bhxh-1', agency: 'SOCIAL_SECURITY', jurisdiction: { scope: 'PROVINCE', provinceCode: '79' } },
  communeSupervisor: { role: 'SUPERVISOR', subject: 'sup-c', agency: null, jurisdiction: { scope: 'COMMUNE', provinceCode: '79', communeCode: '26743' } },
  provinceSupervisor: { role: 'SUPERVISOR', subject: 'sup-p', agency: null, jurisdiction: { scope: 'PROVINCE', provinceCode: '79' } },
  nationalSupervisor: { role: 'SUPERVISOR', subject: 'sup-n', agency: null, jurisdiction: { scope: 'NATIONAL' } },
  hanoiOfficer: { role: 'AGENCY_OFFICER', subject: 'cs-hn', agency: 'CIVIL_STATUS', jurisdiction: { scope: 'COMMUNE', provinceCode: '01', communeCode: '00004' } },
  hospital: { role: 'AGENCY_SYSTEM', subject: 'hospital-79-01', agency: 'HOSPITAL', jurisdiction: { scope: 'PROVINCE', provinceCode: '79' }, facilityCode: '79024' },
  portal: { role: 'PORTAL', subject: 'dvc-quoc-gia', agency: null, jurisdiction: { scope: 'NATIONAL' } },
} as const satisfies Record<string, Principal>;
type Who = keyof typeof principals;

/** Where targets lie, seen from each principal: its own commune, a neighbour commune, another province. */
const hcmc = { same: { provinceCode: '79', communeCode: '26743' }, otherCommune: { provinceCode: '79', communeCode: '26737' }, otherProvince: { provinceCode: '01', communeCode: '00004' } };
const hanoi = { same: { provinceCode: '01', communeCode: '00004' }, otherCommune: { provinceCode: '01', communeCode: '00008' }, otherProvince: { provinceCode: '79', communeCode: '26743' } };
const placesOf = (who: Who): Record<'same' | 'otherCommune' | 'otherProvince', Place> => (who === 'hanoiOfficer' ? hanoi : hcmc);

/** Each cell: same commune, other commune, other province. Y allowed, - denied. */
const columns: Who[] = ['clerk', 'civilStatusOfficer', 'populationSystem', 'policeOfficer', 'socialSecurityOfficer', 'communeSupervisor', 'provinceSupervisor', 'nationalSupervisor', 'hanoiOfficer', 'hospital', 'portal'];
// prettier-ignore
const expected: Record<Action, string[]> = {
  //                          clerk  csOff  c06    police bhxh   supC   supP   supN   hanoi  hosp   portal
  'dossier.submit':         ['Y--', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---'],
  'dossier.submitOnline':   ['---', '---', '---', '---', '---', '---', '---', '---', '---', '---', 'YYY'],
  'dossier.read':           ['Y--', 'Y--', 'YYY', 'Y--', 'YY-', 'Y--', 'YY-', 'YYY', 'Y--', '---', '---'],
  'dossier.readAnnouncements': ['Y--', '---', '---', '---', '---', 'Y--', 'YY-', 'YYY', '---', '---', '---'],
  'dossier.withdraw':       ['Y--', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---'],
  'dossier.supplement':     ['Y--', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---'],
  'dossier.attach':         ['Y--', '---', '---', '---', '---', '---', '---', '---', '---', '---', 'YYY'],
  'task.list':              ['---', 'Y--', 'YYY', 'Y--', 'YY-', 'Y--', 'YY-', 'YYY', 'Y--', '---', '---'],
  'task.claim':             ['---', 'Y--', 'YYY', 'Y--', 'YY-', '---', '---', '---', 'Y--', '---', '---'],
  'task.complete':          ['---', 'Y--', 'YYY', 'Y--', 'YY-', '---', '---', '---', 'Y--', '---', '---'],
  'task.refuse':            ['---', 'Y--', 'YYY', 'Y--', 'YY-', '---', '---', '---', 'Y--', '---', '---'],
  'task.requestSupplement': ['---', 'Y--', 'YYY', 'Y--', 'YY-', '---', '---', '---', 'Y--', '---', '---'],
  'task.apologise':         ['---', 'Y--', 'YYY', 'Y--', 'YY-', '---', '---', '---', 'Y--', '---', '---'],
  'task.declareVerification': ['---', 'Y--', 'YYY', 'Y--', 'YY-', '---', '---', '---', 'Y--', '---', '---'],
  'supervision.read':       ['---', '---', '---', '---', '---', 'Y--', 'YY-', 'YYY', '---', '---', '---'],
  'supervision.act':        ['---', '---', '---', '---', '---', 'Y--', 'YY-', 'YYY', '---', '---', '---'],
  'notice.submit':          ['---', '---', '---', '---', '---', '---', '---', '---', '---', 'YY-', '---'],
  'notice.read':            ['Y--', '---', '---', '---', '---', 'Y--', 'YY-', 'YYY', '---', '---', '---'],
  'notice.confirm':         ['Y--', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---'],
};

/** A birth dossier with all four steps, so every agency has a part in it. */
const allBirthAgencies = ['CIVIL_STATUS', 'POPULATION_DATABASE', 'COMMUNE_POLICE', 'SOCIAL_SECURITY'];

function requestFor(action: Action, who: Who, place: Place): AuthorizationRequest {
  const [kind] = action.split('.');
  if (kind === 'dossier') return { action: action as Extract<Action, `dossier.${string}`>, dossier: { ...place, agencies: allBirthAgencies } };
  // The task is the principal's own agency's (or civil status's for those without one, or without tasks).
  const agency: string | null = principals[who].agency;
  if (kind === 'task') return { action: action as Extract<Action, `task.${string}`>, task: { ...place, agency: agency && agency !== 'HOSPITAL' ? agency : 'CIVIL_STATUS' } };
  if (kind === 'notice') return { action: action as Extract<Action, `notice.${string}`>, notice: place };
  return { action: action as Extract<Action, `supervision.${string}`>, scope: { scope: 'COMMUNE', ...place } };
}

const cases = (Object.keys(expected) as Action[]).flatMap((action) =>
  columns.flatMap((who, column) =>
    (['same', 'otherCommune', 'otherProvince'] as const).map((where, i) => ({
      action,
      who,
      where,
      allowed: expected[action][column]?.[i] === 'Y',
    })),
  ),
);

describe('authorization matrix', () => {
  it('has a cell for every role, action and place', () => {
    expect(cases).toHaveLength(19 * 11 * 3);
    for (const row of Object.values(expected)) expect(row.every((cell) => /^[Y-]{3}$/.test(cell)) && row.length === columns.length).toBe(true);
  });

  it.each(cases)('$who $action at $where → allowed: $allowed', ({ action, who, where, allowed }) => {
    expect(authorize(principals[who], requestFor(action, who, placesOf(who)[where]))).toBe(allowed);
  });
});

describe('agency reach', () => {
  const home = hcmc.same;

  it('keeps an agency out of a dossier it has no step in', () => {
    const birthWithoutResidence = { ...home, agencies: ['CIVIL_STATUS', 'POPULATION_DATABASE', 'SOCIAL_SECURITY'] };
    expect(canAccessDossier(principals.policeOfficer, birthWithoutResidence)).toBe(false);
    expect(canAccessDossier(principals.socialSecurityOfficer, birthWithoutResidence)).toBe(true);
    expect(authorize(principals.policeOfficer, { action: 'dossier.read', dossier: birthWithoutResidence })).toBe(false);
    // Clerks and supervisors see the dossier whatever its steps.
    expect(canAccessDossier(principals.clerk, birthWithoutResidence)).toBe(true);
    expect(canAccessDossier(principals.provinceSupervisor, birthWithoutResidence)).toBe(true);
  });

  it("lets no one act on another agency's task, even in its own commune", () => {
    const insuranceTask = { ...home, agency: 'SOCIAL_SECURITY' };
    expect(canActOnTask(principals.policeOfficer, insuranceTask)).toBe(false);
    expect(canActOnTask(principals.socialSecurityOfficer, insuranceTask)).toBe(true);
    expect(authorize(principals.civilStatusOfficer, { action: 'task.complete', task: insuranceTask })).toBe(false);
  });

  it('does not let a clerk act on civil-status tasks, though the desk belongs to civil status', () => {
    expect(canActOnTask(principals.clerk, { ...home, agency: 'CIVIL_STATUS' })).toBe(false);
  });

  it('does not let a supervisor act on a task as the agency would', () => {
    expect(canActOnTask(principals.nationalSupervisor, { ...home, agency: 'CIVIL_STATUS' })).toBe(false);
  });
});

describe('supervision scopes', () => {
  const province79 = { scope: 'PROVINCE', provinceCode: '79' } as const;
  const province01 = { scope: 'PROVINCE', provinceCode: '01' } as const;
  const nation = { scope: 'NATIONAL' } as const;

  it.each([
    ['communeSupervisor', province79, false],
    ['communeSupervisor', nation, false],
    ['provinceSupervisor', province79, true],
    ['provinceSupervisor', province01, false],
    ['provinceSupervisor', nation, false],
    ['nationalSupervisor', province01, true],
    ['nationalSupervisor', nation, true],
    ['socialSecurityOfficer', province79, false],
    ['populationSystem', nation, false],
  ] as const)('%s supervising %o → %s', (who, scope, allowed) => {
    expect(canSupervise(principals[who], scope)).toBe(allowed);
    expect(authorize(principals[who], { action: 'supervision.read', scope })).toBe(allowed);
  });
});
