import { randomUUID } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/app';
import { reconcileIntake, reconcileNoticeTimers, startRefusalsBeforeGivingUp } from '../../api/intake-reconciler';
import type { IntakeDependencies } from '../../api/dossier-intake';
import { startRefusal, startWorkflowOnce } from '../../api/temporal-calls';
import { createWorkingCalendar } from '../../domain/working-days';
import { createLogger } from '../../runtime/logger';
import { createDatabaseMetricsSource } from '../../runtime/metrics-source';
import { birthIntake } from '../support/fixtures';
import { unreachableTemporal } from '../support/unreachable-temporal';
import { getJson, postJson, startStack, type Stack } from '../support/stack';

/**
 * Temporal unreachable at intake: the dossier is accepted (202) and recorded as the outbox of its
 * workflow's start; the reconciler starts it once Temporal answers, exactly once.
 */
describe('durable intake (Temporal unreachable at intake)', () => {
  let stack: Stack;
  let unreachable: Client;
  let apiWithoutTemporal: FastifyInstance;
  let apiUrl: string;
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    stack = await startStack();
    // Nothing listens on a freshly freed port: every Temporal call of this API fails.
    unreachable = await unreachableTemporal(stack.config.TEMPORAL_NAMESPACE);
    const calendar = createWorkingCalendar({ cutoffHour: stack.config.INTAKE_CUTOFF_HOUR });
    apiWithoutTemporal = await buildApi({ db: stack.db, temporal: unreachable, calendar, config: stack.config, logger });
    apiUrl = await apiWithoutTemporal.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await apiWithoutTemporal.close();
    await unreachable.connection.close();
    await stack.stop();
  });

  const reconcilerDeps = (temporal: Client): IntakeDependencies => ({
    db: stack.db,
    temporal,
    calendar: createWorkingCalendar({ cutoffHour: stack.config.INTAKE_CUTOFF_HOUR }),
    config: stack.config,
    logger,
  });
  const birthNotice = () => ({
    kind: 'BIRTH',
    noticeNumber: `CS-${randomUUID().slice(0, 12)}`,
    facility: { code: '79024', name: 'Bệnh viện Từ Dũ' },
    child: { sex: 'MALE', dateOfBirth: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), placeOfBirth: 'Bệnh viện Từ Dũ' },
    mother: { fullName: 'Lê Thị Hoa', personalIdNumber: '079195004321', residence: { line: '3 Hai Bà Trưng', communeCode: '26743', provinceCode: '79' } },
  });
  const startedAt = async (dossierNumber: string) =>
    (await stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber } })).workflowStartedAt;

  it('accepts the intake with 202, keeps one unstarted dossier across a resubmission, and the reconciler starts it', async () => {
    const intake = birthIntake();
    const first = await postJson(`${apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ dossierNumber: intake.dossierNumber, workflowStarted: false, workflowId: `dossier-${intake.dossierNumber}` });
    expect(await startedAt(intake.dossierNumber)).toBeNull();

    const again = await postJson(`${apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    expect(again.status).toBe(202);
    expect(again.body.dossierId).toBe(first.body.dossierId);
    expect(await stack.db.dossier.count({ where: { dossierNumber: intake.dossierNumber } })).toBe(1);
    await expect(stack.temporal.workflow.getHandle(first.body.workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    // While Temporal is still unreachable the reconciler leaves the dossier in the outbox.
    expect(await reconcileIntake(reconcilerDeps(unreachable))).toBe(0);
    expect(await startedAt(intake.dossierNumber)).toBeNull();

    expect(await reconcileIntake(reconcilerDeps(stack.temporal))).toBeGreaterThanOrEqual(1);
    expect(await startedAt(intake.dossierNumber)).not.toBeNull();
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
  });

  it('two reconcilers running together start each pending dossier once', async () => {
    const intakes = [birthIntake(), birthIntake()];
    for (const intake of intakes) expect((await postJson(`${apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(202);
    const pending = await stack.db.dossier.count({ where: { workflowStartedAt: null } });

    const runs = await Promise.all([reconcileIntake(reconcilerDeps(stack.temporal)), reconcileIntake(reconcilerDeps(stack.temporal))]);
    // Rows are claimed with SKIP LOCKED: together the runs started each pending dossier once (other
    // files' rows in the shared database among them, some of which may be refused), never one twice.
    expect(runs[0] + runs[1]).toBeGreaterThanOrEqual(intakes.length);
    expect(runs[0] + runs[1]).toBeLessThanOrEqual(pending);
    for (const intake of intakes) {
      expect(await startedAt(intake.dossierNumber)).not.toBeNull();
      expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
      const executions = [];
      for await (const wf of stack.temporal.workflow.list({ query: `DossierNumber = '${intake.dossierNumber}'` })) executions.push(wf);
      expect(executions).toHaveLength(1);
    }
  });

  it("a hospital's notice with Temporal unreachable is kept as a draft (202); the reconciler starts its timers once", async () => {
    const first = await postJson(`${apiUrl}/v1/notices`, birthNotice(), stack.tokens.hospital);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'DRAFT', timersStarted: false });
    // The desk sees the draft all the same: the row, not the workflow, is the record.
    expect((await getJson(`${stack.apiUrl}/v1/notices/${first.body.noticeId}`, stack.tokens.clerk)).status).toBe(200);

    expect(await reconcileNoticeTimers(reconcilerDeps(unreachable))).toBe(0);
    const runs = await Promise.all([reconcileNoticeTimers(reconcilerDeps(stack.temporal)), reconcileNoticeTimers(reconcilerDeps(stack.temporal))]);
    expect(runs[0] + runs[1]).toBeGreaterThanOrEqual(1);
    const row = await stack.db.lifeEventNotice.findUniqueOrThrow({ where: { id: first.body.noticeId } });
    expect(row.workflowStartedAt).not.toBeNull();
    expect((await stack.temporal.workflow.getHandle(row.workflowId).describe()).status.name).toBe('RUNNING');
    await stack.temporal.workflow.getHandle(row.workflowId).terminate('test over');
  });

  it('a workflow update with Temporal unreachable answers 503 with Retry-After', async () => {
    const intake = birthIntake();
    await postJson(`${apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    await reconcileIntake(reconcilerDeps(stack.temporal));
    const withdrawal = await postJson(`${apiUrl}/v1/dossiers/${encodeURIComponent(intake.dossierNumber)}/withdrawal`, { reason: 'the family moved away' }, stack.tokens.clerk);
    expect(withdrawal.status).toBe(503);
    expect(withdrawal.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(withdrawal.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a start Temporal refuses waits behind the others, is given up after its last refusal, and an outage counts against no row', async () => {
    const [bad, good] = [birthIntake(), birthIntake()];
    for (const intake of [bad, good]) expect((await postJson(`${apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(202);
    // A row Temporal refuses whatever the moment: a workflow ID longer than the server takes.
    await stack.db.dossier.update({ where: { dossierNumber: bad.dossierNumber }, data: { workflowId: `dossier-${'x'.repeat(1100)}-${randomUUID()}` } });
    const row = () => stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber: bad.dossierNumber } });
    const dueNow = () => stack.db.dossier.update({ where: { dossierNumber: bad.dossierNumber }, data: { startNextAttemptAt: new Date(Date.now() - 1000) } });

    // The refused row, first in line, holds up nothing behind it.
    expect(await reconcileIntake(reconcilerDeps(stack.temporal))).toBe(1);
    expect(await startedAt(good.dossierNumber)).not.toBeNull();
    expect((await stack.untilEnded(good.dossierNumber)).status).toBe('COMPLETED');
    const refused = await row();
    expect(refused).toMatchObject({ workflowStartedAt: null, startAttempts: 1, startGivenUpAt: null });
    expect(refused.startLastError).toMatch(/^INVALID_ARGUMENT: /);
    expect(refused.startNextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    // Not tried again before its wait is over.
    await reconcileIntake(reconcilerDeps(stack.temporal));
    expect((await row()).startAttempts).toBe(1);

    // Temporal unreachable says nothing of the row: kept, its reason noted, no attempt counted.
    await dueNow();
    expect(await reconcileIntake(reconcilerDeps(unreachable))).toBe(0);
    expect(await row()).toMatchObject({ startAttempts: 1, startGivenUpAt: null, startLastError: 'Failed to start Workflow' });

    // The last refusal gives it up: counted for the supervisors, never tried again.
    await stack.db.dossier.update({ where: { dossierNumber: bad.dossierNumber }, data: { startAttempts: startRefusalsBeforeGivingUp - 1 } });
    await reconcileIntake(reconcilerDeps(stack.temporal));
    expect(await row()).toMatchObject({ startAttempts: startRefusalsBeforeGivingUp, startGivenUpAt: expect.any(Date), workflowStartedAt: null });
    const counts = await createDatabaseMetricsSource(stack.db).unstartedWorkflowCounts();
    expect(counts.find((c) => c.kind === 'dossier' && c.status === 'GIVEN_UP')?.count).toBe(1);
    await dueNow();
    await reconcileIntake(reconcilerDeps(stack.temporal));
    expect((await row()).startAttempts).toBe(startRefusalsBeforeGivingUp);
    await stack.db.dossier.delete({ where: { dossierNumber: bad.dossierNumber } });
  });

  it("a notice's timers Temporal refuses hold up no draft behind them; a request the client cannot make is a refusal, an outage is not", async () => {
    const bad = (await postJson(`${apiUrl}/v1/notices`, birthNotice(), stack.tokens.hospital)).body;
    const good = (await postJson(`${apiUrl}/v1/notices`, birthNotice(), stack.tokens.hospital)).body;
    await stack.db.lifeEventNotice.update({ where: { id: bad.noticeId }, data: { workflowId: `notice-${'x'.repeat(1100)}` } });
    expect(await reconcileNoticeTimers(reconcilerDeps(stack.temporal))).toBe(1);
    const [refused, started] = await Promise.all([bad, good].map((n) => stack.db.lifeEventNotice.findUniqueOrThrow({ where: { id: n.noticeId } })));
    expect(refused).toMatchObject({ workflowStartedAt: null, startAttempts: 1, startGivenUpAt: null });
    expect(started!.workflowStartedAt).not.toBeNull();
    await stack.temporal.workflow.getHandle(started!.workflowId).terminate('test over');
    await stack.db.lifeEventNotice.delete({ where: { id: bad.noticeId } });

    const start = (temporal: Client, taskQueue: string) => startWorkflowOnce(temporal, 'lifeEventNotice', { taskQueue, workflowId: `notice-${randomUUID()}`, args: [] });
    expect(startRefusal(await start(stack.temporal, ''))).toBe('UNBUILDABLE');
    expect(startRefusal(await start(unreachable, stack.config.TEMPORAL_TASK_QUEUE))).toBeUndefined();
  });

  it('is live but not ready, naming Temporal', async () => {
    expect((await getJson(`${apiUrl}/health/live`)).status).toBe(200);
    const ready = await getJson(`${apiUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body.dependencies).toEqual({ database: 'up', temporal: 'down' });
    expect((await getJson(`${stack.apiUrl}/health/ready`)).status).toBe(200);
  });
});
