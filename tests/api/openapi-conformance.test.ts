import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { DevPrincipalName } from '../../api/auth/dev-tokens';
import { schemathesisPath } from '../../runtime/tools';
import { birthIntake, deathIntake } from '../support/fixtures';
import { eventually, postJson, startStack, type Stack } from '../support/stack';

/**
 * The OpenAPI document against the server, checked by a third party's reading of it (Schemathesis): every
 * operation fed generated and mutated requests with a principal's token; each answer must have a documented
 * status, media type, schema and headers, and none may be a 5xx. Real dossiers, tasks and a notice are
 * offered as path values, so answers beyond the 404s are checked too.
 */
const checks = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance', 'response_headers_conformance'];
/** The desk, an agency officer with tasks in the inbox, a supervisor, a facility's system (notices). */
const principals: DevPrincipalName[] = ['clerk', 'civilStatusOfficer', 'provinceSupervisor', 'hospital', 'portal'];
/** The operations whose request the API hands to the dossier's workflow as an update. */
const workflowMessagePaths =
  '^/v1/(dossiers/[^/]+/(supplements|withdrawal|registration-cancellation|incidents/[^/]+/decision)|tasks/[^/]+/(claim|unclaim|reassignment|completion|refusal|supplement-request))$';
/** Bounded so the whole file stays within a few minutes on two cores. */
const examplesPerOperation = 25;
const secondsPerPrincipal = 30;

function schemathesis(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // Its example database and reports stay in the scratch folder, not in the working tree.
    const env = { ...process.env, HYPOTHESIS_STORAGE_DIRECTORY: join(cwd, '.hypothesis'), NO_COLOR: '1' };
    execFile(schemathesisPath(), args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** The summary and, when a check failed, what failed (the tool's own report, up to its summary). */
const report = (output: string, failed: boolean): string => (failed ? output : output.slice(output.lastIndexOf('\n', output.indexOf(' SUMMARY ')) + 1));

describe('OpenAPI conformance (Schemathesis): the document says what the server answers', () => {
  let stack: Stack;
  let scratch: string;
  const toml = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;

  beforeAll(async () => {
    stack = await startStack({ MANUAL_STEPS: 'CIVIL_STATUS@79/26743' });
    scratch = mkdtempSync(join(tmpdir(), 'openapi-conformance-'));
    const birth = birthIntake();
    const dossiers = [birth, deathIntake()];
    for (const intake of dossiers) expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    const notice = await postJson(
      `${stack.apiUrl}/v1/notices`,
      {
        kind: 'BIRTH',
        noticeNumber: `CS-${randomUUID().slice(0, 12)}`,
        facility: { code: '79024', name: 'Bệnh viện Từ Dũ' },
        child: { sex: 'FEMALE', dateOfBirth: birth.child.dateOfBirth, placeOfBirth: 'Bệnh viện Từ Dũ, Thành phố Hồ Chí Minh', weightGrams: 3100 },
        mother: { fullName: 'Trần Thị Bích', personalIdNumber: '079195001234', residence: { line: '12 Nguyễn Trãi', communeCode: '26743', provinceCode: '79' } },
      },
      stack.tokens.hospital,
    );
    expect(notice.status).toBe(201);
    // The civil-status steps wait in the officer's inbox as tasks.
    const tasks = await eventually(async () => {
      const rows = await stack.db.agencyTask.findMany({ where: { dossier: { dossierNumber: { in: dossiers.map((d) => d.dossierNumber) } } } });
      return rows.length === dossiers.length ? rows : undefined;
    });
    // Real identifiers half the time, generated ones otherwise.
    writeFileSync(
      join(scratch, 'schemathesis.toml'),
      [
        `[dictionaries.dossiers]\nvalues = ${toml(dossiers.map((d) => d.dossierNumber))}`,
        `[dictionaries.ids]\nvalues = ${toml(tasks.map((t) => t.id))}`,
        `[dictionaries.notices]\nvalues = ${toml([notice.body.noticeId])}`,
        '[parameters]',
        '"path.dossierNumber" = { dictionary = "dossiers", probability = 0.5 }',
        '"path.id" = { dictionary = "ids", probability = 0.5 }',
        '"path.noticeId" = { dictionary = "notices", probability = 0.5 }',
        // A request the workflow must take (an update) may be answered 503 `workflow-service-unavailable`
        // when Temporal does not complete it within the API's deadline: documented, with Retry-After, and
        // safe to repeat (the update's id comes from the request). Under the fuzzer's load on two cores the
        // dev server now and then leaves an update's workflow task unpolled for longer than that. Any
        // other 5xx, or a 503 elsewhere, still fails; the 503's body and headers are checked as documented.
        '[[operations]]',
        `include-path-regex = '${workflowMessagePaths}'`,
        'include-method = "POST"',
        'checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "503"]',
        '',
      ].join('\n\n'),
    );
  });
  afterAll(async () => {
    await stack?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it.each(principals)('every operation, as %s, answers as documented', async (principal) => {
    const { code, output } = await schemathesis(
      [
        '--config-file',
        join(scratch, 'schemathesis.toml'),
        'run',
        `${stack.opsUrl}/docs/json`,
        '--url',
        stack.apiUrl,
        '--header',
        `Authorization: Bearer ${stack.tokens[principal]}`,
        '--checks',
        checks.join(','),
        '--max-examples',
        String(examplesPerOperation),
        '--max-time',
        String(secondsPerPrincipal),
        '--seed',
        '20260',
        '--workers',
        '1',
        '--continue-on-failure',
        '--generation-database',
        'none',
        '--request-timeout',
        '10',
        '--no-color',
      ],
      scratch,
    );
    console.log(`schemathesis as ${principal} (exit ${code}):\n${report(output, code !== 0)}`);
    expect(code).toBe(0);
  }, 180_000);
});
