import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { deliverRecordedSignals, recordSignals } from '../../api/signal-outbox';
import { createLogger } from '../../runtime/logger';
import { createDatabaseMetricsSource } from '../../runtime/metrics-source';
import { unreachableTemporal } from '../support/unreachable-temporal';
import { resolveIncidentSignal, workflowIdFor } from '../../workflows/contract';
import { birthIntake } from '../support/fixtures';
import { eventually, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';

/**
 * A bulk decision is recorded with its audit entries in one transaction and answered; the signals
 * reach the workflows afterwards through the outbox relay. Here the stack's API runs no relay, so the
 * test decides when, and against which Temporal, delivery happens: recorded while Temporal is
 * unreachable, delivered once it is back, by two relays at once, and again after a lost mark.
 */
describe('bulk decisions through the signal outbox', () => {
  let stack: Stack;
  let unreachable: Client;
  const logger = createLogger({ level: 'silent' });
  beforeAll(async () => {
    stack = await startStack({ STEP_MAX_ATTEMPTS: '1' }, { signalRelay: false });
    unreachable = await unreachableTemporal(stack.config.TEMPORAL_NAMESPACE);
  });
  afterAll(async () => {
    await fetch(`${stack.simulatorUrl}/_control/reset-faults`, { method: 'POST' });
    await unreachable.connection.close();
    await stack.stop();
  });

  const deliver = (temporal: Client) => deliverRecordedSignals({ db: stack.db, temporal, logger }, { concurrency: 4 });
  const decide = async (dossierNumbers: string[], key: string) => {
    const incidents = await stack.db.incident.findMany({ where: { status: 'OPEN', dossier: { dossierNumber: { in: dossierNumbers } } } });
    const response = await fetch(`${stack.apiUrl}/v1/supervision/incidents/decisions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.provinceSupervisor}`, 'idempotency-key': key },
      body: JSON.stringify({ filter: {}, incidentIds: incidents.map((i) => i.id), decision: 'RETRY', reason: 'police system back after the outage' }),
    });
    return { status: response.status, body: (await response.json()) as any, incidents };
  };
  const rowsOf = (workflowIds: string[]) => stack.db.workflowSignalOutbox.findMany({ where: { workflowId: { in: workflowIds } }, orderBy: { id: 'asc' } });
  const bulkSignalsIn = async (workflowId: string) => {
    const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === resolveIncidentSignal.name).length;
  };
  const withIncident = async (count: number) => {
    const numbers: string[] = [];
    for (let i = 0; i < count; i++) {
      const intake = birthIntake();
      expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
      numbers.push(intake.dossierNumber);
    }
    await eventually(async () =>
      (await stack.db.incident.count({ where: { status: 'OPEN', dossier: { dossierNumber: { in: numbers } } } })) === count ? true : undefined,
    );
    return numbers;
  };

  it('is recorded and answered with Temporal unreachable, delivered once it is back, once per incident', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: true });
    const numbers = await withIncident(3);
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: false });
    const workflowIds = numbers.map(workflowIdFor);

    const key = `bulk-${randomUUID()}`;
    const first = await decide(numbers, key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ matched: 3, accepted: 3 });
    // Sent again after a lost answer: the same answer, nothing recorded twice.
    const again = await decide(numbers, key);
    expect([again.status, again.body]).toEqual([200, first.body]);
    expect((await rowsOf(workflowIds)).map((r) => [r.signal, r.deliveredAt, r.attempts])).toEqual(workflowIds.map(() => [resolveIncidentSignal.name, null, 0]));
    expect(await stack.db.auditEntry.count({ where: { action: 'incident.retry', dossierNumber: { in: numbers } } })).toBe(3);
    // Recorded, not yet delivered: the incidents stay open, and operators see the signals waiting.
    const pending = await createDatabaseMetricsSource(stack.db).pendingSignalCounts();
    expect(pending.find((p) => p.signal === resolveIncidentSignal.name)?.count).toBeGreaterThanOrEqual(3);
    expect(await stack.db.incident.count({ where: { id: { in: first.incidents.map((i) => i.id) }, status: 'OPEN' } })).toBe(3);

    // Temporal unreachable: nothing delivered, the attempt recorded, the rows kept for later.
    await deliver(unreachable);
    const waiting = await rowsOf(workflowIds);
    expect(waiting.filter((r) => r.deliveredAt === null)).toHaveLength(3);
    expect(waiting.some((r) => r.attempts === 1 && r.lastError)).toBe(true);

    // Back, once the outage's wait is over: two relays (two API instances) at once share the rows, each delivered once.
    await stack.db.workflowSignalOutbox.updateMany({ where: { workflowId: { in: workflowIds } }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    await Promise.all([deliver(stack.temporal), deliver(stack.temporal)]);
    expect((await rowsOf(workflowIds)).map((r) => r.outcome)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED']);
    for (const number of numbers) expect((await stack.untilEnded(number)).status).toBe('COMPLETED');
    for (const workflowId of workflowIds) expect(await bulkSignalsIn(workflowId)).toBe(1);
  }, 120_000);

  it('a signal delivered again after its mark was lost is dropped by the workflow: the newer incident stays open', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: true });
    const [number] = await withIncident(1);
    const workflowId = workflowIdFor(number!);
    const { incidents } = await decide([number!], `bulk-${randomUUID()}`);
    // Still down: the retry fails and a second incident opens.
    await deliver(stack.temporal);
    const second = await eventually(() =>
      stack.db.incident.findFirst({ where: { dossier: { dossierNumber: number! }, status: 'OPEN', NOT: { id: incidents[0]!.id } } }).then((i) => i ?? undefined),
    );

    // As if the relay had crashed after signalling and before marking: the row is pending again.
    const [row] = await rowsOf([workflowId]);
    await stack.db.workflowSignalOutbox.update({ where: { id: row!.id }, data: { deliveredAt: null, outcome: null } });
    await deliver(stack.temporal);
    expect((await rowsOf([workflowId]))[0]).toMatchObject({ outcome: 'DELIVERED', attempts: 2 });
    await eventually(async () => ((await bulkSignalsIn(workflowId)) === 2 ? true : undefined));
    // The repeat named the first incident: the second is neither decided nor retried.
    expect(await stack.db.incident.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ status: 'OPEN', decision: null });
    expect((await stack.status(number!)).status).toBe('IN_PROGRESS');

    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: false });
    await decide([number!], `bulk-${randomUUID()}`);
    await deliver(stack.temporal);
    expect((await stack.untilEnded(number!)).status).toBe('COMPLETED');
  }, 120_000);

  it('a signal to a group that ended meanwhile is closed as such, not retried forever', async () => {
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
    const workflowId = workflowIdFor(intake.dossierNumber);
    // The read model says COMPLETED a moment before the workflow itself returns: wait for Temporal's word.
    await stack.temporal.workflow.getHandle(workflowId).result();
    await recordSignals(stack.db, [
      {
        workflowId,
        signal: resolveIncidentSignal,
        arg: { step: 'PERMANENT_RESIDENCE', incidentId: randomUUID(), decision: 'RETRY', decidedBy: 'dev-supervisor-79', reason: 'late decision' },
      },
    ]);
    await deliver(stack.temporal);
    expect((await rowsOf([workflowId]))[0]).toMatchObject({ outcome: 'WORKFLOW_ENDED', attempts: 1 });
    expect(await bulkSignalsIn(workflowId)).toBe(0);
  }, 60_000);

  it('a signal Temporal refuses is tried again later and does not hold up the ones behind it', async () => {
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
    const arg = { step: 'PERMANENT_RESIDENCE' as const, incidentId: randomUUID(), decision: 'RETRY' as const, decidedBy: 'dev-supervisor-79', reason: 'late decision' };
    // A signal without a name: Temporal's frontend refuses it as an invalid argument, whatever the workflow.
    const malformed = `dossier-${randomUUID()}`;
    await stack.db.workflowSignalOutbox.create({ data: { workflowId: malformed, signal: '', payload: arg } });
    await recordSignals(stack.db, [{ workflowId: workflowIdFor(intake.dossierNumber), signal: resolveIncidentSignal, arg }]);
    await deliver(stack.temporal);
    const [refused, behind] = await rowsOf([malformed, workflowIdFor(intake.dossierNumber)]);
    expect(behind).toMatchObject({ outcome: 'WORKFLOW_ENDED' });
    expect(refused).toMatchObject({ outcome: null, deliveredAt: null, attempts: 1 });
    expect(refused!.lastError).toBeTruthy();
    expect(refused!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    // Not tried again before its time.
    await deliver(stack.temporal);
    expect((await rowsOf([malformed]))[0]!.attempts).toBe(1);
    await stack.db.workflowSignalOutbox.delete({ where: { id: refused!.id } });
  }, 60_000);
});
