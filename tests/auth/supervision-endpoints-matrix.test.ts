import type { DevPrincipalName } from '../../api/auth/dev-tokens';
import { birthIntake } from '../support/fixtures';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

/**
 * Every development principal against every supervision endpoint, on a dossier whose group has ended
 * (so an allowed action reaches the workflow and is refused there with 409, changing nothing). The
 * expected cells are written out by hand: a cell that lets through what it should not fails the test.
 */
const principals: DevPrincipalName[] = [
  'clerk',
  'civilStatusOfficer',
  'populationDatabaseSystem',
  'policeOfficer',
  'socialSecurityOfficer',
  'provinceSupervisor',
  'nationalSupervisor',
  'otherProvinceOfficer',
];
const supervisors: DevPrincipalName[] = ['provinceSupervisor', 'nationalSupervisor'];
const readers: DevPrincipalName[] = principals.filter((p) => p !== 'otherProvinceOfficer');

type Endpoint = { name: string; call: (stack: Stack, token: string) => Promise<number>; allowed: DevPrincipalName[]; allowedStatuses: number[] };

describe('authorization of every supervision endpoint', () => {
  let stack: Stack;
  let dossierNumber: string;
  let taskId: string;
  beforeAll(async () => {
    stack = await startStack({ MANUAL_STEPS: 'COMMUNE_POLICE@79' });
    const intake = birthIntake();
    dossierNumber = intake.dossierNumber;
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const task = await eventually(async () => (await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${dossierNumber}`, stack.tokens.policeOfficer)).body.items[0]);
    taskId = task.id;
    const today = new Date().toISOString().slice(0, 10);
    await postJson(`${stack.apiUrl}/v1/tasks/${taskId}/claim`, {}, stack.tokens.policeOfficer);
    await postJson(`${stack.apiUrl}/v1/tasks/${taskId}/completion`, { result: { residenceRecordNumber: 'TT-79-1', registeredOn: today } }, stack.tokens.policeOfficer);
    expect((await stack.untilEnded(dossierNumber)).status).toBe('COMPLETED');
  });
  afterAll(async () => {
    await stack.stop();
  });

  const endpoints: Endpoint[] = [
    { name: 'GET supervision/dossiers', call: async (s, t) => (await getJson(`${s.apiUrl}/v1/supervision/dossiers`, t)).status, allowed: supervisors, allowedStatuses: [200] },
    { name: 'GET supervision/workflow-problems', call: async (s, t) => (await getJson(`${s.apiUrl}/v1/supervision/workflow-problems`, t)).status, allowed: supervisors, allowedStatuses: [200] },
    {
      name: 'POST supervision/incidents/decisions',
      call: async (s, t) => (await postJson(`${s.apiUrl}/v1/supervision/incidents/decisions`, { filter: { provinceCode: '79', step: 'PERMANENT_RESIDENCE' }, decision: 'RETRY', reason: 'matrix' }, t)).status,
      allowed: supervisors,
      allowedStatuses: [200],
    },
    {
      name: 'POST dossiers/{n}/registration-cancellation',
      call: async (s, t) => (await postJson(`${s.apiUrl}/v1/dossiers/${dossierNumber}/registration-cancellation`, { reason: 'matrix' }, t)).status,
      allowed: supervisors,
      allowedStatuses: [409],
    },
    {
      name: 'POST dossiers/{n}/incidents/{step}/decision',
      call: async (s, t) => (await postJson(`${s.apiUrl}/v1/dossiers/${dossierNumber}/incidents/PERSONAL_ID/decision`, { decision: 'RETRY', reason: 'matrix' }, t)).status,
      allowed: supervisors,
      allowedStatuses: [409],
    },
    {
      name: 'POST tasks/{id}/reassignment',
      call: async (s, t) => (await postJson(`${s.apiUrl}/v1/tasks/${taskId}/reassignment`, { toSubject: 'officer-x', reason: 'matrix' }, t)).status,
      allowed: supervisors,
      allowedStatuses: [409],
    },
    { name: 'GET dossiers/{n}/timeline', call: async (s, t) => (await getJson(`${s.apiUrl}/v1/dossiers/${dossierNumber}/timeline`, t)).status, allowed: readers, allowedStatuses: [200] },
  ];

  const cells = endpoints.flatMap((endpoint) => principals.map((principal) => [endpoint.name, principal, endpoint] as const));
  it.each(cells)('%s as %s', async (_name, principal, endpoint) => {
    const auditBefore = await stack.db.auditEntry.count({ where: { dossierNumber } });
    const status = await endpoint.call(stack, stack.tokens[principal]);
    if (endpoint.allowed.includes(principal)) {
      expect(endpoint.allowedStatuses).toContain(status);
    } else {
      expect([403, 404]).toContain(status);
    }
    // Refused or not possible now: nothing is written.
    expect(await stack.db.auditEntry.count({ where: { dossierNumber } })).toBe(auditBefore);
  });

  it('an anonymous caller is refused by every endpoint', async () => {
    for (const endpoint of endpoints) expect(await endpoint.call(stack, '')).toBe(401);
  });
});
