import { randomUUID } from 'node:crypto';
import { birthIntake, personalIdFor } from '../tests/support/fixtures';
import { actsAudit, endedStatuses as ended, query } from './audit';
import { startChaosStack, type ChaosStack } from './stack';

/**
 * Fault-injection scenarios over the real processes. Each submits birth groups through the API while a
 * fault is injected, waits for every accepted dossier to end, and checks the invariants users rely on:
 * nothing lost (every accepted dossier ends), no act twice (the agencies issued exactly the acts the
 * dossiers record), nothing left standing after a stop (a withdrawn dossier keeps no act).
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
  maxRecoverySeconds: number;
}

interface Run {
  stack: ChaosStack;
  accepted: string[];
  /** Seconds from each fault until progress resumed. */
  recoveries: number[];
  withdrawn: Set<string>;
}

export interface Scenario {
  name: string;
  env?: Record<string, string>;
  /** The fault, run while the groups are submitted; resolves when it is over. */
  inject(run: Run, submitted: () => number, total: number): Promise<void>;
  /** After submission and the fault: anything users do to bring the groups to an end. */
  settle?(run: Run): Promise<void>;
  /** The dossiers submitted (default: the full birth group). */
  intake?: () => ReturnType<typeof birthIntake>;
  /** Some groups are withdrawn: done with each accepted dossier, in the background. */
  withdraw?: (run: Run, dossierNumber: string) => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds from `since` until a step of any dossier finishes (progress resumed), measured by polling. */
async function recovery(run: Run, since: number, timeoutMs = 180_000): Promise<void> {
  const deadline = since + timeoutMs;
  while (Date.now() < deadline) {
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

async function post(run: Run, path: string, body: unknown, token: string, key?: string): Promise<number> {
  try {
    const response = await fetch(`${run.stack.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
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
    if (Date.now() > deadline) return; // never accepted: the desk saw an error, nothing was promised
    await sleep(500);
  }
}

export async function runScenario(scenario: Scenario, groups: number, timeoutMs = 300_000): Promise<ScenarioResult> {
  const stack = await startChaosStack(scenario.env);
  const run: Run = { stack, accepted: [], recoveries: [], withdrawn: new Set() };
  try {
    let submitted = 0;
    const withdrawals: Promise<void>[] = [];
    const submitting = (async () => {
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < groups; i++) {
        inFlight.push(
          submit(run, scenario.intake?.()).then(() => {
            const number = run.accepted.at(-1);
            if (scenario.withdraw && number) withdrawals.push(scenario.withdraw(run, number));
          }),
        );
        submitted += 1;
        await sleep(100); // a steady ten dossiers a second
      }
      await Promise.all(inFlight);
    })();
    await Promise.all([submitting, scenario.inject(run, () => submitted, groups)]);
    await Promise.all(withdrawals);
    await scenario.settle?.(run);

    // Every accepted dossier must end; what has not by the deadline is lost (wedged).
    const deadline = Date.now() + timeoutMs;
    let statuses = new Map<string, string>();
    while (Date.now() < deadline) {
      const rows = await query<{ dossier_number: string; status: string }>(stack.databaseUrl, 'SELECT dossier_number, status FROM dossier WHERE dossier_number = ANY($1)', [run.accepted]).catch(
        () => [],
      );
      statuses = new Map(rows.map((r) => [r.dossier_number, r.status]));
      if (run.accepted.every((n) => ended.includes(statuses.get(n) ?? ''))) break;
      await sleep(1000);
    }
    const lost = run.accepted.filter((n) => !ended.includes(statuses.get(n) ?? '')).length;
    return {
      scenario: scenario.name,
      started: run.accepted.length,
      completed: [...statuses.values()].filter((s) => s === 'COMPLETED').length,
      stoppedAsIntended: [...run.withdrawn].filter((n) => statuses.get(n) === 'WITHDRAWN').length,
      stopsRequested: run.withdrawn.size,
      lost,
      ...(await actsAudit(run.stack)),
      maxRecoverySeconds: Math.max(0, ...run.recoveries),
    };
  } finally {
    await stack.stop();
  }
}

// --- the faults -----------------------------------------------------------------------------------

const onceSubmitted = async (share: number, submitted: () => number, total: number) => {
  while (submitted() < total * share) await sleep(200);
};

/** A server SIGKILLed a third of the way in and restarted 5 s later, on what it left on disk. */
function killedAndRestarted(name: string, kill: (stack: ChaosStack) => void, start: (stack: ChaosStack) => Promise<void>): Scenario {
  return {
    name,
    async inject(run, submitted, total) {
      await onceSubmitted(0.3, submitted, total);
      const at = Date.now();
      kill(run.stack);
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
      } while (submitted() < total || (await unfinished(run)) !== 0);
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
        const list = await fetch(`${run.stack.apiUrl}/v1/tasks?pageSize=50`, { headers: { authorization: `Bearer ${token}` } })
          .then((r) => r.json() as Promise<{ items?: { id: string; step: string; kind: string }[] }>)
          .catch(() => ({ items: [] }));
        for (const task of list.items ?? []) {
          const result = task.kind === 'UNDO' ? { reference: `HUY-${randomUUID().slice(0, 8)}` } : results[task.step]?.();
          if (result) await post(run, `/v1/tasks/${task.id}/completion`, { result }, token, `task-${task.id}`);
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
      if (Date.now() > deadline) return;
      await sleep(300);
    }
    const status = await post(run, `/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'the family withdraws' }, run.stack.tokens.clerk, `withdraw-${randomUUID()}`);
    if (process.env.CHAOS_VERBOSE) process.stdout.write(`  withdrawal ${dossierNumber}: ${status}\n`);
    if (status === 202) run.withdrawn.add(dossierNumber);
  },
  async settle(run) {
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline && (await unfinished(run)) !== 0) await sleep(1000);
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
