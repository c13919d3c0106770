import fc from 'fast-check';
import { birthIntake, deathIntake } from '../support/fixtures';
import { postJson, startStack, type Stack } from '../support/stack';

/**
 * Property-based fuzzing of every route of the API, as the OpenAPI document lists them: generated and
 * mutated requests with the tokens of every kind of principal. Whatever arrives, the API answers a
 * 4xx problem (never a 5xx), and a refused request writes nothing: no dossier, no audit entry.
 */
describe('API fuzz: no request gets a 5xx, a refused one writes nothing', () => {
  let stack: Stack;
  let routes: { method: string; path: string }[];
  let known: string[];
  beforeAll(async () => {
    stack = await startStack();
    const document = (await (await fetch(`${stack.opsUrl}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
    // Real dossiers to aim at, so mutated requests reach the routes' deeper checks.
    const intakes = [birthIntake(), deathIntake()];
    for (const intake of intakes) expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    known = intakes.map((i) => i.dossierNumber);
  });
  afterAll(async () => {
    await stack.stop();
  });

  const writes = async () => ({ dossiers: await stack.db.dossier.count(), audit: await stack.db.auditEntry.count() });

  /** Values that break naive code: wrong types, extremes, control characters, decomposed text, huge. */
  const hostile = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(''),
    fc.constant('x'.repeat(100_000)),
    fc.constant('Nguyễn\u0000An'),
    fc.constant('Nguyễn Minh An'.normalize('NFD')),
    fc.constantFrom('0001-01-01', '9999-12-31', '2026-02-30', '0001-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '1e400', 'NaN'),
    fc.array(fc.string(), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
    fc.constant(Array.from({ length: 5000 }, () => 'a')),
  );

  const leafPaths = (value: unknown, prefix: string[] = []): string[][] =>
    value !== null && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...leafPaths(item, [...prefix, key])])
      : [];
  const setAt = (value: any, path: string[], replacement: unknown): any => {
    if (path.length === 0) return replacement;
    const copy = Array.isArray(value) ? [...value] : { ...value };
    copy[path[0]!] = setAt(value?.[path[0]!], path.slice(1), replacement);
    return copy;
  };
  /** A valid intake with one to three fields replaced by hostile values. */
  const mutatedIntake = fc
    .tuple(fc.constantFrom('BIRTH', 'DEATH'), fc.array(fc.tuple(fc.nat(), hostile), { minLength: 1, maxLength: 3 }))
    .map(([group, mutations]) => {
      let intake: any = group === 'BIRTH' ? birthIntake() : deathIntake();
      const paths = leafPaths(intake);
      for (const [at, value] of mutations) intake = setAt(intake, paths[at % paths.length]!, value);
      return intake;
    });
  const body = fc.oneof(mutatedIntake, fc.jsonValue(), fc.dictionary(fc.constantFrom('reason', 'step', 'documents', 'decision', 'result', 'code', 'filter', 'toSubject', 'incidentId', 'note'), hostile));
  const param = fc.oneof(fc.string({ minLength: 1, maxLength: 80 }), fc.uuid(), fc.constantFrom('PERSONAL_ID', 'PERMANENT_RESIDENCE', 'UNKNOWN'), fc.constant(''));
  const query = fc.dictionary(fc.constantFrom('step', 'status', 'overdue', 'page', 'pageSize', 'group', 'agency', 'provinceCode', 'olderThanDays', 'dossierNumber', 'incident'), fc.oneof(fc.string(), fc.constant('-1'), fc.constant('1e9')), { maxKeys: 4 });

  it('survives thousands of generated requests across every route', async () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
    const tokens = Object.values(stack.tokens);
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.constantFrom(...tokens, 'not-a-token', ''),
        fc.oneof(fc.constantFrom(...known), param),
        param,
        body,
        query,
        async (route, token, dossierNumber, other, payload, search) => {
          const path = route.path
            .replace('{dossierNumber}', encodeURIComponent(dossierNumber))
            .replace(/\{[^}]+\}/g, () => encodeURIComponent(other));
          const url = `${stack.apiUrl}${path}?${new URLSearchParams(search as Record<string, string>)}`;
          const before = await writes();
          const response = await fetch(url, {
            method: route.method,
            headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(route.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
            ...(route.method === 'GET' ? {} : { body: JSON.stringify(payload) }),
          });
          requests += 1;
          const text = await response.text();
          if (response.status >= 500) throw new Error(`${route.method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
          if (response.status >= 400 && !route.path.startsWith('/docs')) {
            expect(response.headers.get('content-type')).toContain('application/problem+json');
            expect(await writes()).toEqual(before);
          }
        },
      ),
      { numRuns: 2500, verbose: 0 },
    );
    expect(requests).toBeGreaterThanOrEqual(2500);
  });

  it('survives thousands of mutated intakes: a refused one leaves no dossier', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedIntake, async (intake) => {
        const before = await writes();
        const response = await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
        if (response.status >= 500) throw new Error(`intake answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
        if (response.status >= 400) {
          if (response.status === 400) expect(response.body.errors?.length ?? 0).toBeGreaterThan(0);
          expect(await writes()).toEqual(before);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
