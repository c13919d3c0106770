import { signToken } from '../../api/auth/tokens';
import { portalStatusMessageSchema, requestedDocuments } from '../../api/portal-outbox';
import { documentTypes, stepDocuments, supplementRequestText } from '../../domain/catalogues';
import { birthIntake } from '../support/fixtures';
import { portalOutboxOf, portalStatusesOf, setPortal, submitOnline } from '../support/portal';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

jest.setTimeout(300_000);

/**
 * The simulator playing the portal's filing end (npm start's whole online path), the documents a
 * supplement request names in its status message, the contract in the OpenAPI document, and the
 * supervisor's view of what the portal did not take, with the re-queue.
 */
let stack: Stack;
beforeAll(async () => {
  // The police's residence step is an officer's task: a dossier waits there, for a supplement request.
  // Failing after two failed sends, so an outage shows within the test.
  stack = await startStack({ PORTAL_MAX_ATTEMPTS: '2', MANUAL_STEPS: 'COMMUNE_POLICE@79' });
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(async () => {
  await setPortal(stack, { outage: false, refuseWith: null });
  await configureFiling({ intervalSeconds: 0 });
});

interface Submission {
  portalCode: string;
  answers: { status: number | null; dossierId?: string }[];
  statuses: { sequence: number; event: string; body: Record<string, unknown> }[];
}
const control = (path: string) => `${stack.simulatorUrl}/_control/portal/submissions${path}`;
async function configureFiling(settings: Record<string, unknown>) {
  const response = await fetch(control(''), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  expect(response.status).toBe(200);
}
const fileNow = async (): Promise<{ status: number; body: Submission }> => postJson(control(''), {});
const submissions = async (): Promise<Submission[]> => (await getJson(control(''))).body.submissions;
const submission = async (code: string) => (await submissions()).find((s) => s.portalCode === code);
const summaryFigure = async (token: string): Promise<number> => {
  const answer = await getJson(`${stack.apiUrl}/v1/supervision/summary`, token);
  expect(answer.status).toBe(200);
  return answer.body.portalUndelivered;
};

describe('the simulator files as the portal', () => {
  it('files nothing until it has the API and a portal token', async () => {
    const refused = await fileNow();
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain('apiUrl and token');
  });

  it("files a birth dossier for the token's citizen under a portal code, the same code again answered as the first, and lists the statuses the portal got", async () => {
    await configureFiling({ apiUrl: stack.apiUrl, token: stack.tokens.portal });
    const filed = await fileNow();
    expect(filed.status).toBe(201);
    const { portalCode } = filed.body;
    expect(portalCode).toMatch(/^H79\.26743-DVC-/);
    expect(filed.body.answers).toEqual([expect.objectContaining({ status: 201, dossierId: expect.any(String) })]);

    const again = await postJson(control(`/${encodeURIComponent(portalCode)}/resend`), {});
    expect(again.status).toBe(200);
    expect(again.body.answers.map((a: { status: number }) => a.status)).toEqual([201, 200]);
    expect(again.body.answers[1].dossierId).toBe(filed.body.answers[0]!.dossierId);
    expect(await stack.db.portalDossier.count({ where: { portalCode } })).toBe(1);

    // The dossier is the citizen's own, as the token says: the requester and the mother.
    const dossier = await stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber: portalCode } });
    expect(dossier.intake).toEqual(expect.objectContaining({ requester: expect.objectContaining({ personalIdNumber: '079195001234', relationship: 'MOTHER' }) }));

    const received = await eventually(async () => {
      const seen = await submission(portalCode);
      return seen && seen.statuses.length >= 2 ? seen : undefined;
    }, 120_000);
    expect(received.statuses[0]).toEqual(expect.objectContaining({ sequence: 1, event: 'RECEIVED' }));
    expect(received.statuses.map((s) => s.sequence)).toEqual(received.statuses.map((_, i) => i + 1));
  });

  it('files on its interval until set to 0', async () => {
    await configureFiling({ apiUrl: stack.apiUrl, token: stack.tokens.portal });
    const before = (await submissions()).length;
    await configureFiling({ intervalSeconds: 1 });
    const filed = await eventually(async () => {
      const answered = (await submissions()).slice(before).filter((s) => s.answers.length > 0);
      return answered.length >= 2 ? answered : undefined;
    }, 60_000);
    await configureFiling({ intervalSeconds: 0 });
    expect((await getJson(control(''))).body.settings).toEqual(expect.objectContaining({ intervalSeconds: 0, token: true }));
    for (const s of filed) expect(s.answers[0]?.status).toBe(201);
    expect(new Set(filed.map((s) => s.portalCode)).size).toBe(filed.length);
  });
});

describe('a supplement request reaches the portal naming the documents', () => {
  it('sends the catalogue codes with their Vietnamese labels, never the officer’s note', async () => {
    await configureFiling({ apiUrl: stack.apiUrl, token: stack.tokens.portal });
    const { portalCode } = (await fileNow()).body;
    const task = await eventually(async () => (await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${portalCode}`, stack.tokens.policeOfficer)).body.items?.[0], 120_000);
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/claim`, {}, stack.tokens.policeOfficer)).status).toBe(200);
    const note = 'Chủ hộ Phạm Văn Tâm ký tại UBND phường';
    const asked = await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/supplement-request`, { documents: ['HOUSEHOLD_CONSENT', 'LAWFUL_RESIDENCE_PROOF'], reason: note }, stack.tokens.policeOfficer);
    expect(asked.status).toBe(200);

    const message = await eventually(async () => (await submission(portalCode))?.statuses.find((s) => s.event === 'SUPPLEMENT_REQUESTED'), 120_000);
    expect(message.body).toEqual(
      expect.objectContaining({
        step: 'PERMANENT_RESIDENCE',
        dueAt: expect.any(String),
        documents: [
          { code: 'HOUSEHOLD_CONSENT', label: documentTypes.HOUSEHOLD_CONSENT },
          { code: 'LAWFUL_RESIDENCE_PROOF', label: documentTypes.LAWFUL_RESIDENCE_PROOF },
        ],
      }),
    );
    expect(JSON.stringify(message.body)).not.toContain('Phạm Văn Tâm');
    // The message is the contract the OpenAPI document publishes.
    expect(portalStatusMessageSchema.strict().safeParse(message.body).error).toBeUndefined();
    // Other events carry no documents.
    const others = (await submission(portalCode))!.statuses.filter((s) => s.event !== 'SUPPLEMENT_REQUESTED');
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((s) => !('documents' in s.body))).toBe(true);
  });

  it('reads back exactly the documents the task route wrote, and none from a request in other words', () => {
    for (const documents of Object.values(stepDocuments)) {
      expect(requestedDocuments(supplementRequestText(documents, 'Ghi chú. Có dấu chấm; và chấm phẩy.'))).toEqual(documents);
      expect(requestedDocuments(supplementRequestText(documents.slice(0, 1)))).toEqual(documents.slice(0, 1));
    }
    expect(requestedDocuments(supplementRequestText([], 'Bổ sung bản sao giấy khai sinh'))).toEqual([]);
    expect(requestedDocuments('needs more documents')).toEqual([]);
    expect(requestedDocuments(null)).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('publishes the status message as a component and a callback of the submission, and the summary’s figure', async () => {
    const { body: document } = await getJson(`${stack.opsUrl}/docs/json`);
    const component = document.components.schemas.PortalStatusMessage;
    expect(Object.keys(component.properties)).toEqual(expect.arrayContaining(['messageKey', 'portalCode', 'sequence', 'event', 'documents', 'appointmentAt', 'occurredAt']));
    const callback = document.paths['/v1/portal/dossiers'].post.callbacks.statusChange['{PORTAL_URL}/statuses'].post;
    expect(callback.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PortalStatusMessage' });
    const summary = document.paths['/v1/supervision/summary'].get.responses['200'].content['application/json'].schema;
    expect(summary.properties.portalUndelivered).toEqual(expect.objectContaining({ type: 'integer', description: expect.stringContaining('PORTAL_MAX_ATTEMPTS') }));
    expect(document.paths['/v1/supervision/portal-messages/retry'].post).toBeDefined();
  });
});

describe('supervisors see what the portal did not take, and send it again', () => {
  const otherProvinceSupervisor = () => signToken(stack.config, { role: 'SUPERVISOR', subject: 'test-supervisor-01', agency: null, jurisdiction: { scope: 'PROVINCE', provinceCode: '01' } });
  let refused: string;
  let failing: string;

  it('counts the messages the portal refused, and those failing after PORTAL_MAX_ATTEMPTS sends, in scope only', async () => {
    const elsewhere = await otherProvinceSupervisor();
    const [before, beforeElsewhere] = [await summaryFigure(stack.tokens.provinceSupervisor), await summaryFigure(elsewhere)];

    await setPortal(stack, { refuseWith: 422 });
    const intake = birthIntake();
    refused = intake.dossierNumber;
    expect((await submitOnline(stack, intake)).status).toBe(201);
    // Reception and the three automated steps' results, all refused; the police's step waits for its officer.
    const rows = await eventually(async () => {
      const all = await portalOutboxOf(stack, refused);
      return all.length >= 4 && all.every((r) => r.outcome === 'REJECTED') ? all : undefined;
    }, 120_000);
    await eventually(async () => ((await summaryFigure(stack.tokens.provinceSupervisor)) >= before + rows.length ? true : undefined));

    await setPortal(stack, { refuseWith: null, outage: true });
    const down = birthIntake();
    failing = down.dossierNumber;
    expect((await submitOnline(stack, down)).status).toBe(201);
    await eventually(async () => ((await portalOutboxOf(stack, failing))[0]!.attempts >= 2 ? true : undefined), 60_000);
    // Only its first message is failing: the others wait behind it, untried.
    await eventually(async () => ((await summaryFigure(stack.tokens.nationalSupervisor)) >= before + rows.length + 1 ? true : undefined));
    expect(await summaryFigure(elsewhere)).toBe(beforeElsewhere);
  });

  it('re-queues them once per Idempotency-Key, audited per dossier, and the portal takes each once, in order', async () => {
    const body = { reason: 'Cổng DVC đã khắc phục lỗi' };
    expect((await postJson(`${stack.apiUrl}/v1/supervision/portal-messages/retry`, body, stack.tokens.clerk)).status).toBe(403);
    const refusedRows = (await portalOutboxOf(stack, refused)).length;
    await setPortal(stack, { outage: false });

    const key = { 'idempotency-key': `portal-retry-${Date.now()}` };
    const first = await postJson(`${stack.apiUrl}/v1/supervision/portal-messages/retry`, body, stack.tokens.provinceSupervisor, key);
    expect(first.status).toBe(200);
    expect(first.body.rejected).toBeGreaterThanOrEqual(refusedRows);
    expect(first.body.requeued).toBe(first.body.rejected + first.body.failing);
    const again = await postJson(`${stack.apiUrl}/v1/supervision/portal-messages/retry`, body, stack.tokens.provinceSupervisor, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);

    for (const code of [refused, failing]) {
      const delivered = await eventually(async () => {
        const rows = await portalOutboxOf(stack, code);
        return rows.every((r) => r.outcome === 'DELIVERED') ? rows : undefined;
      }, 180_000);
      const atPortal = await portalStatusesOf(stack, code);
      expect(atPortal.map((s) => s.sequence)).toEqual(delivered.map((r) => r.sequence));
      expect(atPortal.every((s) => s.calls === 1)).toBe(true);
    }
    const audits = await stack.db.auditEntry.findMany({ where: { dossierNumber: refused, action: 'portal.requeueMessages' } });
    expect(audits).toHaveLength(1);
    expect(audits[0]!.detail).toEqual(expect.objectContaining({ reason: body.reason, rejected: refusedRows, sequences: Array.from({ length: refusedRows }, (_, i) => i + 1) }));
  });
});
