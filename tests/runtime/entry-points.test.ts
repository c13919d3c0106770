import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { verifyToken } from '../../api/auth/tokens';
import { projectRoot, temporalCliPath } from '../../runtime/tools';
import { searchAttributeRegistrations } from '../../workflows/contract';
import { freePort } from '../support/free-port';
import { eventually } from '../support/stack';

/**
 * The one-off scripts, the token script and the simulator as an operator runs them: each its own process
 * in production mode, given only the settings it uses (none of the auth settings the API needs).
 */
const production = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: projectRoot, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const script = (entry: string, env: NodeJS.ProcessEnv, args: string[] = []) => run(process.execPath, ['--import', 'tsx', join(projectRoot, entry), ...args], { ...production, ...env });

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');

describe('scripts/migrate.ts', () => {
  it('migrates with DATABASE_URL alone, in production mode', async () => {
    const result = await script('scripts/migrate.ts', { DATABASE_URL: process.env.DATABASE_URL });
    expect(result).toMatchObject({ code: 0 });
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ name: 'migrate', msg: 'database migrated', applied: [] });
  });

  it("refuses the example's CHANGE-ME password, naming the variable and not the value", async () => {
    const url = 'postgresql://lien_thong:CHANGE-ME@127.0.0.1:1/lien_thong';
    const result = await script('scripts/migrate.ts', { DATABASE_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DATABASE_URL: still holds the example's CHANGE-ME placeholder");
    expect(result.stderr).not.toContain(url);
    expect((await script('scripts/migrate.ts', {})).stderr).toContain('DATABASE_URL must be set');
  });
});

describe('scripts/register-search-attributes.ts', () => {
  it('registers every search attribute on a namespace created as the README says, and the README lists them all', async () => {
    const address = process.env.TEMPORAL_ADDRESS!;
    const namespace = `province-${randomUUID().slice(0, 8)}`;
    const env = { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace };

    const missing = await script('scripts/register-search-attributes.ts', env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`namespace ${namespace} does not exist`);
    expect(missing.stderr).toContain('temporal operator namespace create');

    // The README's command, with the CLI npm install provides.
    const created = await run(temporalCliPath(), ['operator', 'namespace', 'create', '--namespace', namespace, '--retention', '30d', '--address', address], production);
    expect(created).toMatchObject({ code: 0 });
    expect(readme).toContain('temporal operator namespace create --namespace');

    const registered = await script('scripts/register-search-attributes.ts', env);
    expect(registered).toMatchObject({ code: 0 });
    expect(JSON.parse(registered.stdout.trim())).toMatchObject({ msg: 'search attributes registered', namespace });
    // Again: idempotent.
    expect(await script('scripts/register-search-attributes.ts', env)).toMatchObject({ code: 0 });

    const connection = await Connection.connect({ address });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      for (const { name } of searchAttributeRegistrations) {
        expect(Object.keys(customAttributes ?? {})).toContain(name);
        expect(readme).toContain(`\`${name}\``);
      }
    } finally {
      await connection.close();
    }
  });
});

describe('npm run token', () => {
  const secret = 'a-private-secret-of-at-least-thirty-two-characters';
  const args = ['--role', 'AGENCY_SYSTEM', '--agency', 'POPULATION_DATABASE', '--subject', 'population-system'];

  it('issues a token the API accepts under a private secret, in production mode', async () => {
    const result = await script('scripts/issue-token.ts', { AUTH_JWT_SECRET: secret }, args);
    expect(result).toMatchObject({ code: 0 });
    const settings = { AUTH_JWT_SECRET: secret, AUTH_JWT_ISSUER: 'lien-thong', AUTH_JWT_AUDIENCE: 'lien-thong-api', AUTH_TOKEN_MAX_TTL: 86_400 };
    await expect(verifyToken(settings, result.stdout.trim())).resolves.toMatchObject({ role: 'AGENCY_SYSTEM', agency: 'POPULATION_DATABASE' });
  });

  it('refuses to issue one when an identity provider signs the tokens, pointing to client credentials', async () => {
    const result = await script('scripts/issue-token.ts', { AUTH_OIDC_ISSUER: 'https://id.example.gov.vn/realms/lien-thong', AUTH_JWT_SECRET: secret }, args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('client credentials');
  });
});

describe('the agency simulator on its own', () => {
  it('starts with the documented command and only its settings, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'simulator/main.ts'], { cwd: projectRoot, env: { ...production, SIMULATOR_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const agencies = await eventually(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/_control/agencies`).catch(() => undefined);
        return response?.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
      }, 30_000);
      expect(Object.keys(agencies)).toEqual(expect.arrayContaining(['faults', 'calls', 'issued']));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('agency simulator listening');
    // Every variable it reads is documented with it.
    for (const variable of ['SIMULATOR_HOST', 'SIMULATOR_PORT']) expect(readme).toContain(`\`${variable}\``);
  });
});
