import { principalClaims, principalClaimsSchema, type Principal } from '../../domain/principal';

const commune = { scope: 'COMMUNE', provinceCode: '79', communeCode: '26743' } as const;

describe('principal claims', () => {
  it('reads a clerk without an agency as the civil-status desk', () => {
    expect(principalClaimsSchema.parse({ sub: 'clerk-1', role: 'CLERK', jurisdiction: commune })).toEqual({
      role: 'CLERK',
      subject: 'clerk-1',
      agency: 'CIVIL_STATUS',
      jurisdiction: commune,
    });
  });

  it('round-trips every kind of principal', () => {
    const principals: Principal[] = [
      { role: 'AGENCY_OFFICER', subject: 'o-1', agency: 'COMMUNE_POLICE', jurisdiction: commune },
      { role: 'AGENCY_SYSTEM', subject: 'c06', agency: 'POPULATION_DATABASE', jurisdiction: { scope: 'NATIONAL' } },
      { role: 'SUPERVISOR', subject: 's-1', agency: null, jurisdiction: { scope: 'PROVINCE', provinceCode: '01' } },
    ];
    for (const principal of principals) expect(principalClaimsSchema.parse(principalClaims(principal))).toEqual(principal);
  });

  it.each([
    ['a clerk above commune level', { sub: 'c', role: 'CLERK', jurisdiction: { scope: 'PROVINCE', provinceCode: '79' } }, 'jurisdiction.scope'],
    ['a clerk of another agency', { sub: 'c', role: 'CLERK', agency: 'COMMUNE_POLICE', jurisdiction: commune }, 'agency'],
    ['a national officer', { sub: 'o', role: 'AGENCY_OFFICER', agency: 'CIVIL_STATUS', jurisdiction: { scope: 'NATIONAL' } }, 'jurisdiction.scope'],
    ['an officer without an agency', { sub: 'o', role: 'AGENCY_OFFICER', jurisdiction: commune }, 'agency'],
    ['a system without an agency', { sub: 's', role: 'AGENCY_SYSTEM', jurisdiction: { scope: 'NATIONAL' } }, 'agency'],
    ['a supervisor with an agency', { sub: 's', role: 'SUPERVISOR', agency: 'SOCIAL_SECURITY', jurisdiction: commune }, 'agency'],
    ['an unknown province', { sub: 's', role: 'SUPERVISOR', jurisdiction: { scope: 'PROVINCE', provinceCode: '99' } }, 'jurisdiction.provinceCode'],
    ['a commune scope without its commune', { sub: 's', role: 'SUPERVISOR', jurisdiction: { scope: 'COMMUNE', provinceCode: '79' } }, 'jurisdiction.communeCode'],
    ['a province scope that carries a commune', { sub: 's', role: 'SUPERVISOR', jurisdiction: { scope: 'PROVINCE', provinceCode: '79', communeCode: '26743' } }, 'jurisdiction'],
    ['a wildcard province', { sub: 's', role: 'SUPERVISOR', jurisdiction: { scope: 'PROVINCE', provinceCode: '*' } }, 'jurisdiction.provinceCode'],
    ['an unknown role', { sub: 's', role: 'ADMIN', jurisdiction: { scope: 'NATIONAL' } }, 'role'],
    ['a subject with spaces', { sub: 'Nguyễn Văn A', role: 'SUPERVISOR', jurisdiction: { scope: 'NATIONAL' } }, 'sub'],
  ])('refuses %s', (_, claims, path) => {
    const parsed = principalClaimsSchema.safeParse(claims);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
