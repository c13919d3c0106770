import { createHash, randomInt, randomUUID } from 'node:crypto';
import { childCardValidUntil, parseIsoDate } from '../domain/age';
import { childCardNumber } from '../domain/identifiers';
import { contentKey } from '../runtime/object-store';
import { birthIntake, personalIdFor } from '../tests/support/fixtures';
import { actsAudit, attachmentsAudit, decisionsAudit, endedStatuses as ended, portalMessagesAudit, query, type Findings } from './audit';
import { startChaosStack, type ChaosStack, type StackShape } from './stack';

/**
 * Fault-injection scenarios over the real processes. Each submits birth groups through the API while a
 * fault is injected, waits for every accepted dossier to end, and checks the invariants users rely on:
 * nothing lost (every accepted dossier ends), no act twice (the agencies issued exactly the acts the
 * dossiers record), nothing left standing after a stop (a withdrawn dossier keeps no act), each task
 * decided once and every decision delivered, and the API answering as it promises.
 */
export interface ScenarioResult {
  scenario: string;
  started: number;
  completed: number;
  stoppedAsIntended: number;
  /** Withdrawals the API accepted: each must end the group WITHDRAWN. */
  stopsRequested: number;
  lost: number;
  duplicateActs: number;
  actsLeftStanding: number;
  /** Tasks with other than one decision taken, or steps whose outcome was recorded twice. */
  decidedTwice: number;
  /** Officers' decisions recorded that never reached their workflow. */
  decisionsUndelivered: number;
  /** Services that died on their own during the run (the suite restarts none but those it kills itself). */
  servicesCrashed: string[];
  /** Answers of the API unlike what it promises (a second decision taken, an outage not answered 202…), one line each. */
  answersAmiss: string[];
  maxRecoverySeconds: number;
  /** What the scenario counted along the way (how many raced, how many waited out the outage…). */
  figures: Record<string, number>;
}

interface Run {
  stack: ChaosStack;
  accepted: string[];
  /** Seconds from each fault until progress resumed. */
  recoveries: number[];
  withdrawn: Set<string>;
  /** What went otherwise than promised, one line each (codes and ids, no personal data). */
  amiss: string[];
  figures: Record<string, number>;
}

export interface Scenario {
  name: string;
  env?: Record<string, string>;
  shape?: StackShape;
  /** The fault, run while the groups are submitted; resolves when it is over. */
  inject(run: Run, submitted: () => number, total: number): Promise<void>;
  /** After submission and the fault: anything users do to bring the groups to an end. */
  settle?(run: Run): Promise<void>;
  /** The dossiers submitted (default: the full birth group). */
  intake?: () => ReturnType<typeof birthIntake>;
  /** Some groups are withdrawn: done with each accepted dossier, in the background. */
  withdraw?: (run: Run, dossierNumber: string) => Promise<void>;
  /** How the `index`th of `total` groups is submitted (default: a desk's intake, repeated until accepted). */
  submit?: (run: Run, index: number, total: number) => Promise<void>;
  /** Milliseconds between two submissions (default 100: ten a second). */
  pace?: (total: number) => number;
  /** Once every accepted dossier has ended: the scenario's own checks, added to its figures and answers amiss. */
  audit?: (run: Run) => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Before `deadline`, and no service crashed: a crashed one is not restarted, waiting longer would show nothing more. */
const inTime = (run: Run, deadline: number) => Date.now() < deadline && run.stack.crashes().length === 0;

/** Seconds from `since` until a step of any dossier finishes (progress resumed), measured by polling. */
async function recovery(run: Run, since: number, timeoutMs = 180_000): Promise<void> {
  const deadline = since + timeoutMs;
  while (inTime(run, deadline)) {
    if ((await unfinished(run)) === 0) return; // nothing was waiting: nothing to recover
    const rows = await query<{ at: Date | null }>(
      run.stack.databaseUrl,
      'SELECT greatest((SELECT max(finished_at) FROM dossier_step), (SELECT max(completed_at) FROM dossier)) AS at',
    ).catch(() => []);
    const at = rows[0]?.at;
    if (at && at.getTime() > since) {
      run.recoveries.push((at.getTime() - since) / 1000);
      if (process.env.CHAOS_VERBOSE) process.stdout.write(`  recovered in ${((at.getTime() - since) / 1000).toFixed(1)} s\n`);
      return;
    }
    await sleep(250);
  }
  run.recoveries.push(timeoutMs / 1000);
  if (process.env.CHAOS_VERBOSE) process.stdout.write(`  no progress within ${timeoutMs / 1000} s; ${await unfinished(run)} dossiers open\n`);
}

/** Dossiers not ended yet (unknown while the database is down). */
async function unfinished(run: Run): Promise<number> {
  const rows = await query<{ n: number }>(run.stack.databaseUrl, 'SELECT count(*)::int AS n FROM dossier WHERE completed_at IS NULL').catch(() => [{ n: -1 }]);
  return rows[0]?.n ?? -1;
}

/** One call to the API: its status (0 when no answer came) and its JSON body, if any. */
async function call(run: Run, method: 'GET' | 'POST', path: string, token: string, body?: unknown, key?: string): Promise<{ status: number; body: any }> {
  try {
    const response = await fetch(`${run.stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key ? { 'idempotency-key': key } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: 0, body: undefined };
  }
}

async function post(run: Run, path: string, body: unknown, token: string, key?: string): Promise<number> {
  return (await call(run, 'POST', path, token, body, key)).status;
}

/** An officer decides only a task they hold: the claim first, as at a desk (a system's claim is harmless). */
async function claimed(run: Run, taskId: string, token: string): Promise<boolean> {
  return (await post(run, `/v1/tasks/${taskId}/claim`, {}, token, `claim-${taskId}`)) === 200;
}

/** The statuses of these dossiers once every one has ended, or as they are at the deadline. */
async function awaitEnded(run: Run, numbers: string[], timeoutMs: number): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  let statuses = new Map<string, string>();
  while (inTime(run, deadline)) {
    const rows = await query<{ dossier_number: string; status: string }>(run.stack.databaseUrl, 'SELECT dossier_number, status FROM dossier WHERE dossier_number = ANY($1)', [numbers]).catch(
      () => [],
    );
    statuses = new Map(rows.map((r) => [r.dossier_number, r.status]));
    if (numbers.every((n) => ended.includes(statuses.get(n) ?? ''))) break;
    await sleep(1000);
  }
  return statuses;
}

/** A desk submitting a dossier, repeating it (same number: the idempotency key) until it is accepted. */
async function submit(run: Run, intake = birthIntake()): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const status = await post(run, '/v1/dossiers', intake, run.stack.tokens.clerk);
    if (status === 200 || status === 201 || status === 202) {
      run.accepted.push(intake.dossierNumber);
      return;
    }
    if (status >= 400 && status < 500) throw new Error(`intake refused: ${status}`);
    if (!inTime(run, deadline)) return; // never accepted: the desk saw an error, nothing was promised
    await sleep(500);
  }
}

export async function runScenario(scenario: Scenario, groups: number, timeoutMs = 300_000): Promise<ScenarioResult> {
  const stack = await startChaosStack(scenario.env, scenario.shape);
  const run: Run = { stack, accepted: [], recoveries: [], withdrawn: new Set(), amiss: [], figures: {} };
  try {
    let submitted = 0;
    const withdrawals: Promise<void>[] = [];
    const submitting = (async () => {
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < groups; i++) {
        const sending = scenario.submit ? scenario.submit(run, i, groups) : submit(run, scenario.intake?.());
        inFlight.push(
          sending.then(() => {
            const number = run.accepted.at(-1);
            if (scenario.withdraw && number) withdrawals.push(scenario.withdraw(run, number));
          }),
        );
        submitted += 1;
        await sleep(scenario.pace?.(groups) ?? 100);
      }
      await Promise.all(inFlight);
    })();
    await Promise.all([submitting, scenario.inject(run, () => submitted, groups)]);
    await Promise.all(withdrawals);
    await scenario.settle?.(run);

    // Every accepted dossier must end; what has not by the deadline is lost (wedged).
    const statuses = await awaitEnded(run, run.accepted, timeoutMs);
    const lost = run.accepted.filter((n) => !ended.includes(statuses.get(n) ?? '')).length;
    await scenario.audit?.(run);
    return {
      scenario: scenario.name,
      started: run.accepted.length,
      completed: [...statuses.values()].filter((s) => s === 'COMPLETED').length,
      stoppedAsIntended: [...run.withdrawn].filter((n) => statuses.get(n) === 'WITHDRAWN').length,
      stopsRequested: run.withdrawn.size,
      lost,
      ...(await actsAudit(run.stack)),
      ...(await decisionsAudit(run.stack)),
      servicesCrashed: stack.crashes(),
      answersAmiss: run.amiss,
      maxRecoverySeconds: Math.max(0, ...run.recoveries),
      figures: run.figures,
    };
  } finally {
    await stack.stop();
  }
}

// --- the faults -----------------------------------------------------------------------------------

const onceSubmitted = async (share: number, submitted: () => number, total: number) => {
  while (submitted() < total * share) await sleep(200);
};

/** Dossiers whose workflow is mid-way (a step begun, the group not ended). */
async function midway(run: Run): Promise<number> {
  const rows = await query<{ n: number }>(run.stack.databaseUrl, `SELECT count(*)::int AS n FROM dossier WHERE status = 'IN_PROGRESS'`).catch(() => [{ n: 0 }]);
  return rows[0]?.n ?? 0;
}

/**
 * Once `share` of the groups are submitted and workflows are mid-way (at a small size the first groups
 * may all have ended by then): the figure of how many, for the fault about to strike them.
 */
async function untilMidway(run: Run, share: number, submitted: () => number, total: number): Promise<void> {
  await onceSubmitted(share, submitted, total);
  // On a busy machine intakes lag behind the submissions: wait for the workflows, not the count.
  const deadline = Date.now() + 60_000;
  let running = await midway(run);
  while (running === 0 && inTime(run, deadline)) {
    await sleep(50);
    running = await midway(run);
  }
  run.figures['dossiers mid-way at the kill'] = running;
}

/**
 * A server SIGKILLed a third of the way in, once workflows are mid-way, and restarted 5 s later, on what
 * it left on disk.
 */
function killedAndRestarted(name: string, kill: (stack: ChaosStack) => void | Promise<void>, start: (stack: ChaosStack) => Promise<void>): Scenario {
  return {
    name,
    async inject(run, submitted, total) {
      await untilMidway(run, 0.3, submitted, total);
      const at = Date.now();
      await kill(run.stack);
      await sleep(5000);
      await start(run.stack);
      await recovery(run, at);
    },
  };
}

export const scenarios: Record<string, Scenario> = {
  'worker-kill': {
    name: 'SIGKILL the worker every 10 s',
    async inject(run, submitted, total) {
      await sleep(5000);
      do {
        const at = Date.now();
        await run.stack.killWorker();
        run.stack.startWorker();
        await recovery(run, at);
        await sleep(Math.max(0, 10_000 - (Date.now() - at)));
      } while ((submitted() < total || (await unfinished(run)) !== 0) && inTime(run, Infinity));
    },
  },
  'temporal-restart': killedAndRestarted('SIGKILL and restart Temporal', (stack) => stack.killTemporal(), (stack) => stack.startTemporal()),
  'postgres-restart': killedAndRestarted('SIGKILL and restart PostgreSQL', (stack) => stack.killPostgres(), (stack) => stack.startPostgres()),
  'agency-outage': {
    name: 'police outage past every retry, then one bulk retry',
    env: { STEP_MAX_ATTEMPTS: '4', STEP_RETRY_INITIAL_MS: '250', STEP_RETRY_MAX_MS: '1000' },
    async inject(run) {
      await control(run, 'police', { outage: true });
    },
    async settle(run) {
      // Wait until every group is parked on its residence step (or done), then lift the outage.
      for (;;) {
        const rows = await query<{ n: number }>(
          run.stack.databaseUrl,
          `SELECT count(*)::int AS n FROM dossier_step WHERE step = 'PERMANENT_RESIDENCE' AND status NOT IN ('INCIDENT', 'COMPLETED', 'CANCELLED', 'BLOCKED', 'REFUSED')`,
        );
        if ((rows[0]?.n ?? 1) === 0) break;
        await sleep(1000);
      }
      await control(run, 'police', { outage: false });
      const at = Date.now();
      const body = { filter: { step: 'PERMANENT_RESIDENCE', provinceCode: '79' }, decision: 'RETRY', reason: 'police system back after the outage', limit: 1000 };
      if ((await post(run, '/v1/supervision/incidents/decisions', body, run.stack.tokens.provinceSupervisor, `bulk-${randomUUID()}`)) !== 200) throw new Error('bulk retry refused');
      await recovery(run, at);
    },
  },
  'withdrawal-race': {
    name: 'withdrawals racing agency calls in flight',
    async inject(run) {
      for (const agency of ['civil-status', 'population', 'police', 'social-security']) await control(run, agency, { latencyMs: 400 });
    },
    async withdraw(run, dossierNumber) {
      if (Math.random() < 0.5) return;
      await sleep(Math.random() * 2500);
      const status = await post(run, `/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'the family withdraws' }, run.stack.tokens.clerk, `withdraw-${randomUUID()}`);
      if (status === 202) run.withdrawn.add(dossierNumber);
    },
  },
};

/** A task as the inbox shows it (the fields the scenarios read). */
interface TaskView {
  id: string;
  dossierNumber: string;
  step: string;
  kind: 'ACT' | 'UNDO';
  status: 'OPEN' | 'CLAIMED' | 'DONE' | 'CANCELLED';
  outcome: 'COMPLETED' | 'REFUSED' | 'SUPPLEMENT_REQUESTED' | null;
  decisionPending: boolean;
}

/** Every open task in the inbox of `token`'s principal, page by page (none while the API does not answer). */
async function inbox(run: Run, token: string): Promise<TaskView[]> {
  const tasks: TaskView[] = [];
  for (let page = 1; ; page++) {
    const { status, body } = await call(run, 'GET', `/v1/tasks?pageSize=100&page=${page}`, token);
    const items = status === 200 ? (body as { items: TaskView[] }).items : [];
    tasks.push(...items);
    if (items.length < 100) return tasks;
  }
}

/**
 * Officers of the population database and the police working their inboxes: every open task, act or
 * undo, is completed, until the group ends.
 */
function officersAtWork(run: Run): { stop(): void } {
  let working = true;
  const child = birthIntake().child;
  // The police leave their residence tasks be: the family withdraws while they are open.
  const results: Record<string, () => object> = {
    PERSONAL_ID: () => ({ personalIdNumber: personalIdFor(child), issuedAt: new Date().toISOString() }),
  };
  void (async () => {
    while (working) {
      for (const token of [run.stack.tokens.populationDatabaseSystem, run.stack.tokens.policeOfficer]) {
        for (const task of await inbox(run, token)) {
          const result = task.kind === 'UNDO' ? { reference: `HUY-${randomUUID().slice(0, 8)}` } : results[task.step]?.();
          // A claim that fails (an outage) is tried again on the next round.
          if (result && (await claimed(run, task.id, token))) await post(run, `/v1/tasks/${task.id}/completion`, { result }, token, `task-${task.id}`);
        }
      }
      await sleep(300);
    }
  })();
  return { stop: () => void (working = false) };
}

async function stepStatus(run: Run, dossierNumber: string, step: string): Promise<string | undefined> {
  const rows = await query<{ status: string }>(
    run.stack.databaseUrl,
    'SELECT s.status FROM dossier_step s JOIN dossier d ON d.id = s.dossier_id WHERE d.dossier_number = $1 AND s.step = $2',
    [dossierNumber, step],
  ).catch(() => []);
  return rows[0]?.status;
}

let officers: { stop(): void } | undefined;
scenarios['manual-withdrawal'] = {
  name: 'manual ID numbers withdrawn after issue',
  env: { MANUAL_STEPS: 'POPULATION_DATABASE,COMMUNE_POLICE' },
  intake: () => birthIntake({ procedures: { permanentResidence: true, healthInsurance: false }, healthInsurance: undefined }),
  async inject(run) {
    officers = officersAtWork(run);
  },
  async withdraw(run, dossierNumber) {
    // Once the ID number was issued by hand, the family withdraws: it must be cancelled by hand too.
    const deadline = Date.now() + 120_000;
    while ((await stepStatus(run, dossierNumber, 'PERSONAL_ID')) !== 'COMPLETED') {
      if (!inTime(run, deadline)) return;
      await sleep(300);
    }
    const status = await post(run, `/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'the family withdraws' }, run.stack.tokens.clerk, `withdraw-${randomUUID()}`);
    if (process.env.CHAOS_VERBOSE) process.stdout.write(`  withdrawal ${dossierNumber}: ${status}\n`);
    if (status === 202) run.withdrawn.add(dossierNumber);
  },
  async settle(run) {
    const deadline = Date.now() + 240_000;
    while (inTime(run, deadline) && (await unfinished(run)) !== 0) await sleep(1000);
    officers?.stop();
  },
};

async function control(run: Run, agency: string, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${run.stack.simulatorUrl}/_control/agencies/${agency}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`simulator refused faults for ${agency}`);
}

// --- officers deciding twice ------------------------------------------------------------------------

interface Decision {
  path: 'completion' | 'refusal';
  body: object;
  outcome: 'COMPLETED' | 'REFUSED';
}

/** A card typed in by hand: the number in its real format, valid until the child turns 6. */
function cardCompletion(): Decision {
  const socialInsuranceCode = `79${String(randomInt(100_000_000)).padStart(8, '0')}`;
  const born = parseIsoDate(birthIntake().child.dateOfBirth);
  const validFrom = new Date().toISOString().slice(0, 10);
  const result = { cardNumber: childCardNumber(1, '79', socialInsuranceCode), socialInsuranceCode, validFrom, validUntil: childCardValidUntil(born) };
  return { path: 'completion', body: { result }, outcome: 'COMPLETED' };
}

const cardRefusal: Decision = { path: 'refusal', body: { code: 'INCOMPLETE_DOSSIER', reason: 'the card application is incomplete' }, outcome: 'REFUSED' };

/** The decision each task was answered as taken for, to hold against what the dossier shows in the end. */
type Taken = Map<string, { dossierNumber: string; outcome: Decision['outcome'] }>;

const count = (run: Run, figure: string) => void (run.figures[figure] = (run.figures[figure] ?? 0) + 1);

/**
 * Two decisions on one task sent at once, each with its own Idempotency-Key, as a double click or two
 * officers at one task do: exactly one is taken — answered `expected` (200 recorded, 202 on its way)
 * — and the other refused with a 409.
 */
async function decideTwice(run: Run, taken: Taken, task: TaskView, decisions: [Decision, Decision], expected: 200 | 202 | (200 | 202)[]): Promise<void> {
  const token = run.stack.tokens.socialSecurityOfficer;
  const answers = await Promise.all(decisions.map((d, i) => call(run, 'POST', `/v1/tasks/${task.id}/${d.path}`, token, d.body, `decision-${task.id}-${i}`)));
  const statuses = answers.map((a) => a.status);
  const winner = statuses.findIndex((s) => [expected].flat().includes(s as 200 | 202));
  const answer = answers[winner];
  // A 202 shows the decision pending, or recorded already when its workflow took it just past the API's deadline.
  const shown = answer?.body?.status === 'DONE' || (answer?.status === 202 && answer.body?.decisionPending === true);
  if (winner < 0 || statuses.filter((s) => s === 409).length !== 1 || !shown) {
    const then = `${answer?.body?.status ?? 'unknown'}${answer?.body?.decisionPending ? ' with a decision pending' : ''}`;
    run.amiss.push(`task ${task.id}: ${decisions.map((d) => d.path).join(' and ')} answered ${statuses.join(' and ')}, the task then ${then}`);
    return;
  }
  taken.set(task.id, { dossierNumber: task.dossierNumber, outcome: decisions[winner]!.outcome });
  count(run, `answered ${answer!.status} and 409`);
  if (decisions[winner]!.outcome === 'REFUSED') count(run, 'refusals taken');
}

/** Each decision taken is the one the task and the dossier show: a refused card leaves the group partly done. */
async function checkTaken(run: Run, taken: Taken, tasks: TaskView[]): Promise<void> {
  const statuses = await awaitEnded(run, tasks.map((t) => t.dossierNumber), 120_000);
  for (const task of tasks) {
    const decision = taken.get(task.id);
    if (!decision) continue;
    const { body } = await call(run, 'GET', `/v1/tasks/${task.id}`, run.stack.tokens.socialSecurityOfficer);
    const group = statuses.get(decision.dossierNumber);
    if (body?.status !== 'DONE' || body.outcome !== decision.outcome || (group === 'COMPLETED') !== (decision.outcome === 'COMPLETED')) {
      run.amiss.push(`task ${task.id}: taken as ${decision.outcome}, shows ${body?.status}/${body?.outcome}, group ${group}`);
    }
  }
}

scenarios['task-decisions'] = {
  name: 'officers deciding twice, and during a Temporal outage',
  env: { MANUAL_STEPS: 'SOCIAL_SECURITY' },
  async inject(run, submitted, total) {
    const token = run.stack.tokens.socialSecurityOfficer;
    const taken: Taken = new Map();
    // The first half of the card tasks are decided twice at once as they come: two completions, or a
    // completion and a refusal; the rest wait in the inbox for the outage.
    const raced: TaskView[] = [];
    const held: TaskView[] = [];
    const races: Promise<void>[] = [];
    const deadline = Date.now() + 180_000;
    while (raced.length + held.length < total && inTime(run, deadline)) {
      for (const task of await inbox(run, token)) {
        if (raced.some((t) => t.id === task.id) || held.some((t) => t.id === task.id)) continue;
        // Claimed while Temporal is up: the held ones are decided during the outage. A task whose row was
        // just written may not be claimable yet ("being opened"): taken on the next round.
        if (!(await claimed(run, task.id, token))) continue;
        if (raced.length >= Math.ceil(total / 2)) held.push(task);
        else {
          const n = raced.push(task);
          // Every other race puts a refusal against the completion, sent first or second in turn.
          const pair: [Decision, Decision] = n % 2 ? [cardCompletion(), cardCompletion()] : n % 4 === 2 ? [cardCompletion(), cardRefusal] : [cardRefusal, cardCompletion()];
          races.push(decideTwice(run, taken, task, pair, [200, 202]));
        }
      }
      await sleep(200);
    }
    if (raced.length + held.length < total || submitted() < total) run.amiss.push(`only ${raced.length + held.length} of ${total} card tasks reached the inbox`);
    await Promise.all(races);
    // The raced groups end first: progress after the outage is then the held decisions' alone.
    await checkTaken(run, taken, raced);

    // Temporal down: each held task is decided twice (one 202, one 409) and shows its decision pending.
    const at = Date.now();
    await run.stack.killTemporal();
    await Promise.all(held.map((task) => decideTwice(run, taken, task, [cardCompletion(), cardCompletion()], 202)));
    for (const task of held) {
      const { body } = await call(run, 'GET', `/v1/tasks/${task.id}`, token);
      if (body?.decisionPending !== true) run.amiss.push(`task ${task.id}: decided during the outage, shown ${body?.status} without a decision pending`);
    }
    await sleep(Math.max(0, 5000 - (Date.now() - at)));
    await run.stack.startTemporal();
    const back = Date.now();
    await recovery(run, at);
    await checkTaken(run, taken, held);
    run.figures['s from Temporal back to the last decision recorded'] = await lastRecorded(run, held, back);
  },
};

/** Seconds from `since` to the last of these tasks' decisions recorded by their workflows. */
async function lastRecorded(run: Run, tasks: TaskView[], since: number): Promise<number> {
  const rows = await query<{ at: Date | null }>(run.stack.databaseUrl, 'SELECT max(delivered_at) AS at FROM agency_task WHERE id = ANY($1::uuid[])', [tasks.map((t) => t.id)]);
  const at = rows[0]?.at;
  return at ? Math.round((at.getTime() - since) / 100) / 10 : -1;
}

// --- the online channel -----------------------------------------------------------------------------

/** A scan of its own for each dossier: a PDF's first bytes and the dossier's code, no personal data. */
const scanOf = (code: string) => Buffer.from(`%PDF-1.7\n% the hospital's birth certificate for ${code}\n%%EOF\n`);

const acceptedIntake = (status: number) => status === 200 || status === 201 || status === 202;

/** The portal filing `intake`, repeated (the same code, the same content) until answered other than by an outage. */
async function fileOnline(run: Run, intake: ReturnType<typeof birthIntake>): Promise<{ status: number; dossierId?: string }> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const { status, body } = await call(run, 'POST', '/v1/portal/dossiers', run.stack.tokens.portal, intake);
    if ((status >= 200 && status < 500) || !inTime(run, deadline)) return { status, dossierId: body?.dossierId };
    await sleep(500);
  }
}

/**
 * The portal uploading the citizen's scan to the dossier it filed, sent again under one Idempotency-Key
 * until it is kept. While the store is unreachable the API must answer 503; any other refusal is amiss.
 */
async function attachScan(run: Run, code: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  let answered = 0;
  for (;;) {
    try {
      const response = await fetch(`${run.stack.apiUrl}/v1/dossiers/${encodeURIComponent(code)}/attachments?documentType=BIRTH_CERTIFICATE`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${run.stack.tokens.portal}`,
          'content-type': 'application/pdf',
          'x-file-name': encodeURIComponent('giấy chứng sinh.pdf'),
          'idempotency-key': `scan-${code}`,
        },
        body: scanOf(code),
        signal: AbortSignal.timeout(15_000),
      });
      await response.body?.cancel();
      answered = response.status;
    } catch {
      answered = 0;
    }
    if (answered === 200 || answered === 201) return;
    if (answered === 503) count(run, 'uploads answered 503 while the store was down');
    else if (answered !== 0) {
      run.amiss.push(`upload to ${code} answered ${answered}`);
      if (answered < 500) return;
    }
    // Never kept: the audit counts the dossier without its attachment.
    if (!inTime(run, deadline)) return;
    await sleep(500);
  }
}

scenarios.portal = {
  name: 'portal filings and scans; worker, Temporal and object store down',
  shape: { objectStore: 's3' },
  // Spread over some 25 s, so that filings and uploads arrive before, during and after the faults.
  pace: (total) => Math.max(100, 25_000 / total),
  async submit(run, index, total) {
    const intake = birthIntake();
    const code = intake.dossierNumber;
    // Every third is filed twice at once (a double tap), every third after it filed again once answered (the portal retrying).
    const answers = await Promise.all((index % 3 === 1 ? [intake, intake] : [intake]).map((i) => fileOnline(run, i)));
    if (answers.every((a) => acceptedIntake(a.status)) && index % 3 === 2) answers.push(await fileOnline(run, intake));
    const statuses = answers.map((a) => a.status);
    if (!statuses.every(acceptedIntake)) {
      // Never answered (the deadline passed) is no promise; a refusal of a valid filing is.
      if (statuses.some((s) => s !== 0)) run.amiss.push(`${code}: filed ${answers.length} time(s), answered ${statuses.join(' and ')}`);
      return;
    }
    if (new Set(answers.map((a) => a.dossierId)).size !== 1 || statuses.filter((s) => s === 201).length > 1) {
      run.amiss.push(`${code}: filed ${answers.length} times, answered ${statuses.join(' and ')} with ${new Set(answers.map((a) => a.dossierId)).size} dossier(s)`);
    }
    if (answers.length > 1) count(run, 'filed twice');
    run.accepted.push(code);
    // Once, halfway: another content under the same code is refused, the first dossier kept.
    if (index === Math.floor(total / 2)) {
      const other = await fileOnline(run, { ...intake, child: { ...intake.child, fullName: 'Nguyễn Minh Anh' } });
      if (other.status === 409) count(run, 'other content answered 409');
      else run.amiss.push(`${code}: other content under the same code answered ${other.status}`);
    }
    await attachScan(run, code);
  },
  async inject(run, submitted, total) {
    const store = run.stack.objectStore!;
    await untilMidway(run, 0.2, submitted, total);
    // The store goes first and comes back last: the worker's and Temporal's restarts happen while uploads fail.
    const at = Date.now();
    await store.down();
    await run.stack.killWorker();
    await sleep(3000);
    run.stack.startWorker();
    // Temporal only once the new worker works: a worker starting while Temporal is down exits, for its supervisor to start again.
    await recovery(run, at);
    const temporalAt = Date.now();
    await run.stack.killTemporal();
    await sleep(5000);
    await run.stack.startTemporal();
    await sleep(Math.max(0, 15_000 - (Date.now() - at)));
    await store.up();
    run.figures['s the object store was unreachable'] = Math.round((Date.now() - at) / 1000);
    // What an API killed between storing a file and recording it leaves behind: a file no attachment names, for the sweep.
    const cutOff = scanOf(`cut-off-${randomUUID()}`);
    await store.store.put(contentKey(createHash('sha256').update(cutOff).digest('hex')), cutOff, 'application/pdf');
    run.figures['uploads cut off after storing'] = 1;
    await recovery(run, temporalAt);
  },
  async audit(run) {
    const findings: Findings[] = [await attachmentsAudit(run.stack, run.accepted), await portalMessagesAudit(run.stack, run.accepted)];
    for (const { figures, amiss } of findings) {
      Object.assign(run.figures, figures);
      run.amiss.push(...amiss);
    }
  },
};
