import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Registry } from 'prom-client';
import { createActivities } from '../../activities';
import type { AgencyGateway } from '../../activities/agency-gateway';
import type { UndoResult } from '../../domain/agency-contract';
import type { StepCode } from '../../domain/procedures';
import { createWorkingCalendar } from '../../domain/working-days';
import type { StepStatus } from '../../prisma/generated/client';
import { createDatabase, type Database } from '../../runtime/database';
import { createLogger } from '../../runtime/logger';
import { createWorkerMetrics } from '../../runtime/metrics';
import { birthIntake } from '../support/fixtures';

/**
 * Temporal runs an activity again when its answer was lost after its write committed. Each activity
 * writing the dossier's timeline is run twice here, on the real database, and must leave one event:
 * the second attempt finds the change made and records nothing. Dossiers are seeded without a workflow.
 */
describe('timeline writes retried after a lost answer', () => {
  let db: Database;
  const seededDossiers: string[] = [];
  const seededNotices: string[] = [];
  beforeAll(() => {
    db = createDatabase(process.env.DATABASE_URL as string, 4);
  });
  afterAll(async () => {
    // Seeded rows have no workflow: they must not reach another suite's lists or bulk decisions.
    await db?.dossier.deleteMany({ where: { id: { in: seededDossiers } } });
    await db?.lifeEventNotice.deleteMany({ where: { id: { in: seededNotices } } });
    await db?.$disconnect();
  });

  const noAgency: AgencyGateway = {
    perform: () => Promise.reject(new Error('no agency is called here')),
    undo: () => Promise.reject(new Error('no agency is called here')),
  };
  const activitiesWith = (agencies: AgencyGateway) =>
    createActivities({ db, agencies, calendar: createWorkingCalendar(), logger: createLogger({ level: 'silent' }), metrics: createWorkerMetrics(new Registry()) });
  const activities = () => activitiesWith(noAgency);

  const steps: [StepCode, string][] = [
    ['BIRTH_REGISTRATION', 'CIVIL_STATUS'],
    ['PERSONAL_ID', 'POPULATION_DATABASE'],
    ['PERMANENT_RESIDENCE', 'COMMUNE_POLICE'],
    ['CHILD_HEALTH_INSURANCE', 'SOCIAL_SECURITY'],
  ];

  /** A running birth dossier whose steps are as given (the others PENDING). */
  async function seedDossier(statuses: Partial<Record<StepCode, StepStatus>> = {}): Promise<string> {
    const intake = birthIntake();
    const id = randomUUID();
    seededDossiers.push(id);
    await db.dossier.create({
      data: {
        id,
        dossierNumber: intake.dossierNumber,
        procedureGroup: 'BIRTH',
        workflowId: `activity-retries-${id}`,
        // Marked started, so no intake reconciler starts a workflow for it.
        workflowStartedAt: new Date(),
        dueAt: new Date(Date.now() + 5 * 86_400_000),
        provinceCode: '79',
        communeCode: '26743',
        intake: intake as object,
        intakeDigest: 'activity-retries',
        selectedSteps: steps.map(([step]) => step),
        definitionVersion: 1,
        receivedAt: new Date(),
        status: 'IN_PROGRESS',
        steps: { create: steps.map(([step, agency]) => ({ id: randomUUID(), step, agency, status: statuses[step] ?? 'PENDING' })) },
      },
    });
    return id;
  }

  const eventsOf = (dossierId: string, type: string) => db.dossierEvent.count({ where: { dossierId, type } });
  /** An attempt, then Temporal's retry of it after its answer was lost. */
  const twice = async (attempt: () => Promise<unknown>) => {
    await attempt();
    await attempt();
  };

  const cases: {
    event: string;
    statuses?: Partial<Record<StepCode, StepStatus>>;
    /** What the workflow recorded before. */
    before?: (dossierId: string) => Promise<unknown>;
    attempt: (dossierId: string) => Promise<unknown>;
  }[] = [
    {
      event: 'STEP_BLOCKED',
      attempt: (dossierId) => activities().recordStepOutcome({ dossierId, step: 'PERMANENT_RESIDENCE', status: 'BLOCKED' }),
    },
    {
      event: 'STEP_REFUSED',
      statuses: { PERMANENT_RESIDENCE: 'WAITING_FOR_SUPPLEMENT' },
      attempt: (dossierId) => activities().recordStepOutcome({ dossierId, step: 'PERMANENT_RESIDENCE', status: 'REFUSED', refusalCode: 'SUPPLEMENT_NOT_PROVIDED' }),
    },
    {
      event: 'STEP_COMPENSATION_SKIPPED',
      statuses: { BIRTH_REGISTRATION: 'COMPLETED' },
      attempt: (dossierId) => activities().recordStepOutcome({ dossierId, step: 'BIRTH_REGISTRATION', status: 'COMPENSATION_SKIPPED' }),
    },
    {
      event: 'SUPPLEMENT_REQUESTED',
      // As the agency's answer leaves it: waiting, no period yet.
      statuses: { PERMANENT_RESIDENCE: 'WAITING_FOR_SUPPLEMENT' },
      attempt: (dossierId) =>
        activities().openSupplementRequest({ dossierId, step: 'PERMANENT_RESIDENCE', reason: 'missing document', periodWorkingDays: 7, requestedAt: Date.parse('2026-12-07T09:00:00+07:00') }),
    },
    {
      // A workflow started before rounds were named.
      event: 'SUPPLEMENT_RECEIVED',
      statuses: { PERMANENT_RESIDENCE: 'WAITING_FOR_SUPPLEMENT' },
      attempt: (dossierId) => activities().recordSupplementReceived({ dossierId, step: 'PERMANENT_RESIDENCE', documents: ['DOC-A'] }),
    },
    {
      event: 'INCIDENT_RESOLVED',
      statuses: { PERMANENT_RESIDENCE: 'RUNNING' },
      before: (dossierId) => activities().openIncident({ dossierId, step: 'PERMANENT_RESIDENCE', kind: 'STEP', error: 'HTTP 503' }),
      attempt: (dossierId) => activities().closeIncident({ dossierId, step: 'PERMANENT_RESIDENCE', decision: 'RETRY' }),
    },
    {
      event: 'GROUP_ENDED',
      statuses: { BIRTH_REGISTRATION: 'RUNNING' },
      attempt: (dossierId) => activities().recordGroupOutcome({ dossierId, status: 'WITHDRAWN', reason: 'the family withdraws' }),
    },
    {
      event: 'ESCALATED',
      statuses: { BIRTH_REGISTRATION: 'RUNNING' },
      attempt: (dossierId) => activities().escalate({ dossierId, level: 1 }),
    },
  ];

  it.each(cases)('$event is recorded once by an attempt and its retry', async ({ event, statuses, before, attempt }) => {
    const dossierId = await seedDossier(statuses);
    await before?.(dossierId);
    await attempt(dossierId);
    expect(await eventsOf(dossierId, event)).toBe(1);
    // The first attempt's answer was lost: Temporal runs it again.
    await attempt(dossierId);
    expect(await eventsOf(dossierId, event)).toBe(1);
  });

  it('a supplement requested again after the first was brought is a new request, recorded once too', async () => {
    const dossierId = await seedDossier({ PERMANENT_RESIDENCE: 'WAITING_FOR_SUPPLEMENT' });
    const { openSupplementRequest, recordSupplementReceived } = activities();
    const request = (requestedAt: string) =>
      openSupplementRequest({ dossierId, step: 'PERMANENT_RESIDENCE', reason: 'missing document', periodWorkingDays: 7, requestedAt: Date.parse(requestedAt) });
    await twice(() => request('2026-12-07T09:00:00+07:00'));
    await twice(() => recordSupplementReceived({ dossierId, step: 'PERMANENT_RESIDENCE', documents: ['DOC-A'], round: 1 }));
    // The agency asks again, for the new round.
    await db.dossierStep.updateMany({ where: { dossierId, step: 'PERMANENT_RESIDENCE' }, data: { status: 'WAITING_FOR_SUPPLEMENT' } });
    await twice(() => request('2026-12-14T09:00:00+07:00'));
    const events = await db.dossierEvent.findMany({ where: { dossierId, type: { startsWith: 'SUPPLEMENT_' } }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['SUPPLEMENT_REQUESTED', 'SUPPLEMENT_RECEIVED', 'SUPPLEMENT_REQUESTED']);
    expect(await db.citizenNotification.count({ where: { dossierId, event: 'SUPPLEMENT_REQUESTED' } })).toBe(2);
  });

  it('an incident is opened once by an attempt and its retry, under its id or, for older workflows, per step and kind', async () => {
    const dossierId = await seedDossier({ PERMANENT_RESIDENCE: 'RUNNING', CHILD_HEALTH_INSURANCE: 'RUNNING' });
    const named = { dossierId, step: 'PERMANENT_RESIDENCE' as const, kind: 'STEP' as const, error: 'HTTP 503', incidentId: randomUUID() };
    const unnamed = { dossierId, step: 'CHILD_HEALTH_INSURANCE' as const, kind: 'STEP' as const, error: 'HTTP 503' };
    for (const ref of [named, unnamed, named, unnamed]) await activities().openIncident(ref);
    const incidents = await db.incident.findMany({ where: { dossierId }, orderBy: { step: 'asc' } });
    expect(incidents.map((i) => [i.step, i.status])).toEqual([
      ['CHILD_HEALTH_INSURANCE', 'OPEN'],
      ['PERMANENT_RESIDENCE', 'OPEN'],
    ]);
    expect(incidents[1]!.id).toBe(named.incidentId);
    expect(await eventsOf(dossierId, 'INCIDENT_OPENED')).toBe(2);
  });

  /**
   * An undo attempt still waiting for the agency when Temporal gives up on it and starts the next: both
   * read the step before either writes, and the agency answers both (the undo's key makes it one act).
   */
  function agencyAnsweringBothAttempts(answer: UndoResult): AgencyGateway {
    let asked = 0;
    let bothAsked!: () => void;
    const both = new Promise<void>((resolve) => (bothAsked = resolve));
    return {
      ...noAgency,
      undo: async () => {
        asked += 1;
        if (asked === 2) bothAsked();
        await both;
        return answer;
      },
    };
  }

  it.each([
    { answer: { undone: true, reference: 'QD-HUY-1' }, event: 'STEP_COMPENSATED' },
    { answer: { undone: false }, event: 'STEP_NOTHING_TO_UNDO' },
  ])('$event is recorded once by two undo attempts at once, and by a later retry', async ({ answer, event }) => {
    const { compensateStep } = activitiesWith(agencyAnsweringBothAttempts(answer));
    const dossierId = await seedDossier({ BIRTH_REGISTRATION: 'COMPLETED' });
    const attempt = () => new MockActivityEnvironment().run(compensateStep, { dossierId, step: 'BIRTH_REGISTRATION' as const, reason: 'the family withdraws' });
    expect(await Promise.all([attempt(), attempt()])).toEqual([{ undone: answer.undone }, { undone: answer.undone }]);
    expect(await attempt()).toEqual({ undone: answer.undone });
    expect(await eventsOf(dossierId, event)).toBe(1);
    const step = await db.dossierStep.findUniqueOrThrow({ where: { dossierId_step: { dossierId, step: 'BIRTH_REGISTRATION' } } });
    expect(step.status).toBe(answer.undone ? 'COMPENSATED' : 'CANCELLED');
  });

  it("a notice's legal limit is announced to the family once by an attempt and its retry", async () => {
    const id = randomUUID();
    seededNotices.push(id);
    await db.lifeEventNotice.create({
      data: {
        id,
        kind: 'BIRTH',
        facilityCode: '79024',
        noticeNumber: `CS-${id.slice(0, 12)}`,
        issuerSubject: 'activity-retries',
        notice: {},
        noticeDigest: 'activity-retries',
        provinceCode: '79',
        communeCode: '26743',
        eventDate: new Date('2026-10-01'),
        limitAt: new Date(Date.now() - 86_400_000),
        workflowId: `activity-retries-${id}`,
        workflowStartedAt: new Date(),
      },
    });
    const { markNoticeOverdue } = activities();
    await twice(() => markNoticeOverdue({ noticeId: id }));
    expect((await db.lifeEventNotice.findUniqueOrThrow({ where: { id } })).overdueAt).not.toBeNull();
    expect((await db.citizenNotification.findMany({ where: { noticeId: id } })).map((n) => `${n.event}:${n.round}`)).toEqual(['NOTICE_OVERDUE:0']);
  });
});
