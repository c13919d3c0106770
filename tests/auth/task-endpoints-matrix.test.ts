import { randomBytes, randomUUID } from 'node:crypto';
import { devPrincipals, type DevPrincipalName } from '../../api/auth/dev-tokens';
import { Prisma } from '../../runtime/database';
import { birthIntake } from '../support/fixtures';
import { getJson, postJson, startStack, type Stack } from '../support/stack';

/**
 * Every dev principal × every task endpoint × tasks of every birth agency, in the principal's own
 * commune, another commune of its province and another province. The expectations are written out
 * by hand (not computed by the rules under test): a cell that lets through what it should not fails.
 */
type Place = 'HCM_26743' | 'HCM_26740' | 'HN_00004';
const places: Record<Place, { provinceCode: string; communeCode: string }> = {
  HCM_26743: { provinceCode: '79', communeCode: '26743' },
  HCM_26740: { provinceCode: '79', communeCode: '26740' },
  HN_00004: { provinceCode: '01', communeCode: '00004' },
};
const birthSteps = [
  ['BIRTH_REGISTRATION', 'CIVIL_STATUS'],
  ['PERSONAL_ID', 'POPULATION_DATABASE'],
  ['PERMANENT_RESIDENCE', 'COMMUNE_POLICE'],
  ['CHILD_HEALTH_INSURANCE', 'SOCIAL_SECURITY'],
] as const;
type Agency = (typeof birthSteps)[number][1];
type Target = `${Agency}@${Place}`;
const targets: Target[] = (Object.keys(places) as Place[]).flatMap((p) => birthSteps.map(([, agency]) => `${agency}@${p}` as Target));

/** The tasks each principal may act on (claim, complete, refuse, ask for a supplement). */
const mayAct: Record<DevPrincipalName, Target[]> = {
  clerk: [],
  civilStatusOfficer: ['CIVIL_STATUS@HCM_26743'],
  populationDatabaseSystem: ['POPULATION_DATABASE@HCM_26743', 'POPULATION_DATABASE@HCM_26740', 'POPULATION_DATABASE@HN_00004'],
  policeOfficer: ['COMMUNE_POLICE@HCM_26743'],
  socialSecurityOfficer: ['SOCIAL_SECURITY@HCM_26743', 'SOCIAL_SECURITY@HCM_26740'],
  provinceSupervisor: [],
  nationalSupervisor: [],
  otherProvinceOfficer: ['CIVIL_STATUS@HN_00004'],
  hospital: [],
  portal: [],
};
/** The tasks each principal may see (list and view): its own, and a supervisor's whole scope. */
const maySee: Record<DevPrincipalName, Target[]> = {
  ...mayAct,
  provinceSupervisor: targets.filter((t) => t.endsWith('HCM_26743') || t.endsWith('HCM_26740')),
  nationalSupervisor: targets,
};
/** Tasks whose dossier a principal cannot even read: denials must be 404 there (nothing leaks). */
const hidden = (name: DevPrincipalName, target: Target): boolean => {
  const place = target.split('@')[1] as Place;
  // A health facility's system has no part in any dossier: every task is out of its sight.
  if (name === 'hospital') return true;
  if (name === 'otherProvinceOfficer') return place !== 'HN_00004';
  if (['clerk', 'civilStatusOfficer', 'policeOfficer'].includes(name)) return place !== 'HCM_26743';
  if (name === 'socialSecurityOfficer' || name === 'provinceSupervisor') return place === 'HN_00004';
  return false;
};

/** Names the failing cell in the failure message. */
function expectCell(name: string, target: string, status: number, ok: boolean): void {
  expect({ cell: `${name} on ${target}`, status, ok }).toEqual({ cell: `${name} on ${target}`, status, ok: true });
}

const principals = Object.keys(mayAct) as DevPrincipalName[];
const actEndpoints = ['claim', 'unclaim', 'completion', 'refusal', 'supplement-request'] as const;
const bodies: Record<(typeof actEndpoints)[number], unknown> = {
  claim: {},
  unclaim: {},
  completion: { result: {} }, // authorized callers get 400 (the result is validated after authorization)
  refusal: { code: 'INCOMPLETE_DOSSIER', reason: 'authorization matrix' },
  'supplement-request': { reason: 'authorization matrix' },
};

/** Past authorization: seeded tasks have no workflow to ask, so claims and decisions end in its 409. */
const allowedStatus: Record<(typeof actEndpoints)[number], number> = {
  claim: 409,
  unclaim: 409,
  completion: 400,
  refusal: 409,
  'supplement-request': 409,
};

describe('task endpoints: authorization matrix over every dev principal', () => {
  let stack: Stack;
  const taskIds = new Map<Target, string>();
  const dossierNumbers: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    // Seeded dossiers and tasks: the workflow plays no part in who may do what.
    for (const [place, where] of Object.entries(places) as [Place, (typeof places)[Place]][]) {
      const intake = birthIntake({ jurisdiction: where });
      const dossierId = randomUUID();
      dossierNumbers.push(intake.dossierNumber);
      await stack.db.dossier.create({
        data: {
          id: dossierId,
          dossierNumber: intake.dossierNumber,
          procedureGroup: 'BIRTH',
          workflowId: `matrix-${dossierId}`,
          dueAt: new Date(Date.now() + 3 * 86_400_000),
          ...where,
          intake: intake as object,
          intakeDigest: 'matrix',
          selectedSteps: birthSteps.map(([step]) => step),
          definitionVersion: 1,
          receivedAt: new Date(),
          status: 'IN_PROGRESS',
          steps: { create: birthSteps.map(([step, agency]) => ({ id: randomUUID(), step, agency, mode: 'MANUAL', status: 'RUNNING' })) },
        },
      });
      for (const [step, agency] of birthSteps) {
        const id = randomUUID();
        taskIds.set(`${agency}@${place}`, id);
        await stack.db.agencyTask.create({
          data: { id, dossierId, step, agency, ...where, taskToken: new Uint8Array(randomBytes(32)), dueAt: new Date(Date.now() + 86_400_000) },
        });
      }
    }
  });
  afterAll(async () => {
    await stack.stop();
  });

  const reset = async (target: Target, claimedBy: string | null = null) => {
    const id = taskIds.get(target) as string;
    const task = await stack.db.agencyTask.update({
      where: { id },
      data: { status: claimedBy ? 'CLAIMED' : 'OPEN', claimedBy, claimedAt: claimedBy ? new Date() : null, completedAt: null, completedBy: null, outcome: Prisma.DbNull, deliveredAt: null },
    });
    await stack.db.dossierStep.update({
      where: { dossierId_step: { dossierId: task.dossierId, step: task.step } },
      data: { status: 'RUNNING', result: Prisma.DbNull, refusalCode: null, refusalReason: null, supplementReason: null, finishedAt: null },
    });
  };
  const snapshot = async (target: Target) => {
    const task = await stack.db.agencyTask.findUniqueOrThrow({ where: { id: taskIds.get(target) as string } });
    const step = await stack.db.dossierStep.findUniqueOrThrow({ where: { dossierId_step: { dossierId: task.dossierId, step: task.step } } });
    return JSON.stringify({ task: { ...task, taskToken: null }, step });
  };
  const auditCount = () => stack.db.auditEntry.count({ where: { dossierNumber: { in: dossierNumbers } } });

  it.each(principals)('GET /tasks for %s lists exactly the tasks it may see', async (name) => {
    const seen: string[] = [];
    for (const dossierNumber of dossierNumbers) {
      const { status, body } = await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${encodeURIComponent(dossierNumber)}&pageSize=100`, stack.tokens[name]);
      // Neither the desk nor the portal has a task list.
      if (name === 'clerk' || name === 'portal') {
        expect(status).toBe(403);
        continue;
      }
      expect(status).toBe(200);
      seen.push(...body.items.map((t: any) => t.id));
    }
    expect(seen.sort()).toEqual(maySee[name].map((t) => taskIds.get(t)).sort());
  });

  it.each(principals)('GET /tasks/:id for %s: 200 on what it may see, 403/404 elsewhere', async (name) => {
    for (const target of targets) {
      const { status } = await getJson(`${stack.apiUrl}/v1/tasks/${taskIds.get(target)}`, stack.tokens[name]);
      const expected = maySee[name].includes(target) ? [200] : name === 'clerk' ? [403] : hidden(name, target) ? [404] : [403];
      expectCell(name, target, status, expected.includes(status));
    }
  });

  for (const endpoint of actEndpoints) {
    it.each(principals)(`POST /tasks/:id/${endpoint} for %s: only on its own agency's tasks in its jurisdiction`, async (name) => {
      for (const target of targets) {
        // Unclaiming needs a task held by the caller; every other act starts from an open task.
        await reset(target, endpoint === 'unclaim' ? devPrincipals[name].subject : null);
        const before = await snapshot(target);
        const audits = await auditCount();
        const { status } = await postJson(`${stack.apiUrl}/v1/tasks/${taskIds.get(target)}/${endpoint}`, bodies[endpoint], stack.tokens[name]);
        if (mayAct[name].includes(target)) {
          // Through authorization: a completion reaches result validation; a claim, a refusal or a
          // supplement request reaches the dossier's workflow, which a seeded dossier does not have (409).
          expectCell(name, target, status, status === allowedStatus[endpoint]);
        } else {
          const expected = ['clerk', 'provinceSupervisor', 'nationalSupervisor'].includes(name) ? [403] : hidden(name, target) ? [404] : [403];
          expectCell(name, target, status, expected.includes(status));
          expect(await snapshot(target)).toBe(before);
          expect(await auditCount()).toBe(audits);
        }
        await reset(target);
      }
    });
  }
});
