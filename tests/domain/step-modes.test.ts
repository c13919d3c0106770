import { parseManualSteps, StepModeConfigError, stepModeFor } from '../../domain/step-modes';

describe('manual step configuration (MANUAL_STEPS)', () => {
  it('parses agencies with optional province and commune', () => {
    expect(parseManualSteps('COMMUNE_POLICE@79, SOCIAL_SECURITY,CIVIL_STATUS@79/26743')).toEqual([
      { agency: 'COMMUNE_POLICE', provinceCode: '79' },
      { agency: 'SOCIAL_SECURITY' },
      { agency: 'CIVIL_STATUS', provinceCode: '79', communeCode: '26743' },
    ]);
    expect(parseManualSteps(undefined)).toEqual([]);
    expect(parseManualSteps('  ')).toEqual([]);
  });

  it.each(['POLICE', 'COMMUNE_POLICE@7', 'COMMUNE_POLICE@79/2673', 'COMMUNE_POLICE/26743', 'CIVIL_STATUS,', 'civil_status'])(
    'refuses the malformed entry %p',
    (value) => {
      expect(() => parseManualSteps(value)).toThrow(StepModeConfigError);
    },
  );

  it('matches by agency, then province, then commune; anything else is automated', () => {
    const rules = parseManualSteps('COMMUNE_POLICE@79,SOCIAL_SECURITY,CIVIL_STATUS@79/26743');
    const hcmc = { provinceCode: '79', communeCode: '26743' };
    const otherCommune = { provinceCode: '79', communeCode: '26740' };
    const hanoi = { provinceCode: '01', communeCode: '00004' };
    expect(stepModeFor(rules, 'COMMUNE_POLICE', hcmc)).toBe('MANUAL');
    expect(stepModeFor(rules, 'COMMUNE_POLICE', otherCommune)).toBe('MANUAL');
    expect(stepModeFor(rules, 'COMMUNE_POLICE', hanoi)).toBe('AUTOMATED');
    expect(stepModeFor(rules, 'SOCIAL_SECURITY', hanoi)).toBe('MANUAL');
    expect(stepModeFor(rules, 'CIVIL_STATUS', hcmc)).toBe('MANUAL');
    expect(stepModeFor(rules, 'CIVIL_STATUS', otherCommune)).toBe('AUTOMATED');
    expect(stepModeFor(rules, 'POPULATION_DATABASE', hcmc)).toBe('AUTOMATED');
    expect(stepModeFor([], 'CIVIL_STATUS', hcmc)).toBe('AUTOMATED');
  });
});
