import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import units from '../../domain/data/administrative-units.json';
import { civilStatusOfficeName, communeOf, communesOf, knownProvinceCodes, placeName, placeProblem } from '../../domain/jurisdiction';

const root = join(__dirname, '..', '..');

describe('the national list of administrative units', () => {
  it('holds the 34 provinces and 3,321 communes of the 2025 reorganisation, each code once, and says where it comes from', () => {
    expect(knownProvinceCodes).toHaveLength(34);
    const codes = units.provinces.flatMap((p) => p.communes.map((c) => c.code));
    expect(codes).toHaveLength(3321);
    expect(new Set(codes).size).toBe(3321);
    expect(codes.every((c) => /^\d{5}$/.test(c))).toBe(true);
    expect(units.source.package).toBe('vietnam-provinces==2026.9.0 (PyPI)');
    expect(communesOf('79').every((c) => communeOf(c.code)?.provinceCode === '79')).toBe(true);
  });

  it('tells a commune that does not exist from one of another province, and names the office', () => {
    expect(placeProblem({ provinceCode: '79', communeCode: '26743' })).toBeUndefined();
    expect(placeProblem({ provinceCode: '79', communeCode: '26734' })).toBe('not a commune code of the national list');
    expect(placeProblem({ provinceCode: '79', communeCode: '00004' })).toBe('not a commune of province 79');
    expect(placeName({ provinceCode: '01', communeCode: '00004' })).toBe('Phường Ba Đình, Thành phố Hà Nội');
    expect(civilStatusOfficeName({ provinceCode: '79', communeCode: '26732' })).toBe('Ủy ban nhân dân đặc khu Côn Đảo, Thành phố Hồ Chí Minh');
    // A code gone in a reorganisation still shows, as itself.
    expect(placeName({ provinceCode: '79', communeCode: '26734' })).toBe('Xã 26734, Thành phố Hồ Chí Minh');
  });

  // The committed file is what the pinned package gives (installed into the tool venv when missing).
  const withVenv = existsSync(join(root, '.tools', 'venv', 'bin', 'python')) ? it : it.skip;
  withVenv('matches what vietnam-provinces 2026.9.0 gives (scripts/admin-units.ts --check)', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'admin-units.ts'), '--check'], { cwd: root, encoding: 'utf8', timeout: 170_000 });
    expect(out).toContain('matches the package');
  }, 180_000);
});
