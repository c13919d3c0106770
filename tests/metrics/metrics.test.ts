import { dossierStatuses } from '../../domain/statuses';
import { birthIntake } from '../support/fixtures';
import { sampleValue } from '../support/prometheus';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

const birthSteps = [
  { step: 'BIRTH_REGISTRATION', agency: 'CIVIL_STATUS' },
  { step: 'PERSONAL_ID', agency: 'POPULATION_DATABASE' },
  { step: 'PERMANENT_RESIDENCE', agency: 'COMMUNE_POLICE' },
  { step: 'CHILD_HEALTH_INSURANCE', agency: 'SOCIAL_SECURITY' },
];

describe('GET /metrics on the real stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  async function scrape(): Promise<{ text: string; contentType: string | null }> {
    const response = await fetch(`${stack.opsUrl}/metrics`);
    expect(response.status).toBe(200);
    return { text: await response.text(), contentType: response.headers.get('content-type') };
  }

  it('counts a completed birth group and its steps per agency from the database', async () => {
    // The suite's database is shared with other test files: compare with what was there before.
    const before = (await scrape()).text;
    const completed = (text: string, labels: Record<string, string>, name: string): number => sampleValue(text, name, { ...labels, status: 'COMPLETED' }) ?? 0;

    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    const status = await eventually(async () => {
      const { body } = await getJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}`, stack.tokens.clerk);
      return body.status === 'COMPLETED' ? body : undefined;
    });

    const { text, contentType } = await scrape();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const birthCompleted = completed(text, { procedure_group: 'BIRTH' }, 'lien_thong_dossiers');
    expect(birthCompleted).toBeGreaterThanOrEqual(1);
    expect(birthCompleted).toBeGreaterThanOrEqual(completed(before, { procedure_group: 'BIRTH' }, 'lien_thong_dossiers') + 1);
    for (const labels of birthSteps) {
      expect(completed(text, labels, 'lien_thong_steps')).toBeGreaterThanOrEqual(completed(before, labels, 'lien_thong_steps') + 1);
    }
    // Every status is reported, with no dossier too, rather than vanishing (other test files may have
    // made some of them: the shared database only lets this check that each is present).
    for (const group of ['BIRTH', 'DEATH']) {
      for (const dossierStatus of dossierStatuses) {
        expect(sampleValue(text, 'lien_thong_dossiers', { procedure_group: group, status: dossierStatus })).toBeGreaterThanOrEqual(0);
      }
    }
    // Node process metrics come along.
    expect(sampleValue(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);

    // Nothing that identifies the dossier or a citizen appears in a label.
    const personalId = status.steps[1].result.personalIdNumber as string;
    for (const secret of [intake.dossierNumber, intake.child.fullName, intake.requester.personalIdNumber, personalId]) {
      expect(text).not.toContain(secret);
    }
  });

  it('is not part of the OpenAPI document', async () => {
    const { body } = await getJson(`${stack.opsUrl}/docs/json`);
    expect(Object.keys(body.paths)).not.toContain('/metrics');
    expect(Object.keys(body.paths)).toContain('/v1/dossiers');
  });
});

describe('the operations port', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('serves /metrics, /docs and the probes, none of the first two on the citizen-facing port', async () => {
    for (const path of ['/metrics', '/docs', '/docs/json', '/docs/static/index.html']) {
      // 404, or 401 where the route would need a token (an unknown route is authenticated first).
      const response = await fetch(`${stack.apiUrl}${path}`, { redirect: 'manual' });
      expect([path, [401, 404].includes(response.status)]).toEqual([path, true]);
      expect(await response.text()).not.toMatch(/lien_thong_dossiers|"openapi"|swagger/);
    }
    for (const path of ['/metrics', '/docs/json', '/docs/static/index.html', '/health/live', '/health/ready']) {
      const response = await fetch(`${stack.opsUrl}${path}`);
      expect([path, response.status]).toEqual([path, 200]);
      // The console's security headers.
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
    const page = await fetch(`${stack.opsUrl}/docs/static/index.html`);
    const policy = page.headers.get('content-security-policy')!;
    // Its own scripts only, as the console's page.
    expect(policy).toMatch(/script-src 'self'\s*;/);
    expect(policy).not.toContain('upgrade-insecure-requests');
    expect(await page.text()).toContain('swagger');
    // The probes stay on the API's port too, for a load balancer in front of it.
    expect((await fetch(`${stack.apiUrl}/health/ready`)).status).toBe(200);
  });
});
