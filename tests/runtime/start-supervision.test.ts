import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { devTokens } from '../../api/auth/dev-tokens';
import { loadConfig } from '../../runtime/config';
import { projectRoot } from '../../runtime/tools';
import { birthIntake } from '../support/fixtures';
import { freePort } from '../support/free-port';
import { endedStatuses, eventually, getJson, postJson, setAgencyFaults } from '../support/stack';

/**
 * `npm start` itself (scripts/start.ts as its own process) on free ports and a temporary data folder:
 * the Temporal dev server and the embedded PostgreSQL are SIGKILLed in turn while dossiers run, and
 * come back on their port and data with no one's help.
 */
describe('npm start restarts the servers it started', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lien-thong-start-'));
  // PostgreSQL runs as its own user when the tests run as root: it must reach its folder inside this one.
  chmodSync(dataDir, 0o755);
  /** The supervisor's log records (the `start` logger's lines on npm start's output). */
  const records: Record<string, any>[] = [];
  let stderr = '';
  let start: ChildProcess;
  let closed: Promise<number | null>;
  let apiUrl: string;
  let simulatorUrl: string;
  let clerk: string;

  beforeAll(async () => {
    const [temporalPort, postgresPort, simulatorPort, apiPort, opsPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The suite's own servers: here npm start starts its own.
    for (const given of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_UI_URL', 'AGENCY_BASE_URL', 'NOTIFICATION_GATEWAY_URL']) delete env[given];
    Object.assign(env, {
      LIEN_THONG_DEV_MODE: 'true',
      // The supervisor's lines are at info.
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: '0',
      EMBEDDED_POSTGRES_PORT: String(postgresPort),
      SIMULATOR_HOST: '127.0.0.1',
      SIMULATOR_PORT: String(simulatorPort),
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      API_OPS_PORT: String(opsPort),
      WORKER_METRICS_PORT: '0',
      TEMPORAL_SDK_METRICS_PORT: '0',
      INTAKE_RECONCILE_INTERVAL_SECONDS: '1',
      // Steps held up by the agency outage below keep retrying, quickly, instead of becoming incidents.
      STEP_RETRY_INITIAL_MS: '200',
      STEP_RETRY_MAX_MS: '1000',
      STEP_MAX_ATTEMPTS: '200',
    });
    // Its own process group, as in a terminal: Ctrl-C is a SIGINT to the whole group.
    start = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'scripts/start.ts')], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    // Once its output is read to the end, not merely at its exit.
    closed = new Promise((resolve) => start.once('close', (code) => resolve(code)));
    createInterface({ input: start.stdout! }).on('line', (line) => {
      try {
        const record = JSON.parse(line);
        if (record.name === 'start') records.push(record);
      } catch {
        // The banner and the build steps' output.
      }
    });
    start.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    apiUrl = `http://127.0.0.1:${apiPort}`;
    simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
    clerk = (await devTokens(loadConfig(env))).clerk;
    await ready().catch((error: Error) => {
      throw new Error(`${error.message}: npm start did not come up (${stderr})`);
    });
  }, 120_000);

  afterAll(async () => {
    // Whatever a failed test left of npm start's process group: no server outlives the suite.
    try {
      process.kill(-start.pid!, 'SIGKILL');
    } catch {
      // Nothing left (ESRCH): the Ctrl-C test stopped everything.
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The API answers ready: its database and Temporal both up. */
  const ready = () => eventually(async () => ((await fetch(`${apiUrl}/health/ready`).catch(() => undefined))?.ok ? true : undefined), 90_000);

  /** Submits as a desk does: again while the API says the database is unavailable (503) or cannot be reached. */
  const submit = async (): Promise<{ dossierNumber: string; status: number }> => {
    const intake = birthIntake();
    const status = await eventually(async () => {
      const answer = await postJson(`${apiUrl}/v1/dossiers`, intake, clerk).catch(() => undefined);
      return answer && answer.status !== 503 ? answer.status : undefined;
    });
    return { dossierNumber: intake.dossierNumber, status };
  };

  const status = async (dossierNumber: string): Promise<any> => {
    const answer = await getJson(`${apiUrl}/v1/dossiers/${encodeURIComponent(dossierNumber)}`, clerk).catch(() => undefined);
    return answer?.status === 200 ? answer.body : undefined;
  };

  /** Held by the police outage: registered and numbered, its residence step retrying. */
  const heldAtResidence = (dossierNumber: string) =>
    eventually(async () => {
      const body = await status(dossierNumber);
      const steps = Object.fromEntries((body?.steps ?? []).map((s: any) => [s.step, s.status]));
      return steps.PERSONAL_ID === 'COMPLETED' && !endedStatuses.includes(body.status) ? true : undefined;
    });

  const allEnded = (dossierNumbers: string[]) =>
    eventually(async () => {
      const statuses = await Promise.all(dossierNumbers.map(async (n) => (await status(n))?.status));
      return statuses.every((s) => endedStatuses.includes(s)) ? statuses : undefined;
    }, 60_000);

  /** The process ids the supervisor reported for a part, the running one last. */
  const pids = (service: string): number[] => records.filter((r) => r.msg === 'service started' && r.service === service).map((r) => r.pid);

  /** SIGKILLs the part's running process (a server's: the Temporal CLI, the postmaster). */
  const kill = (service: string): number => {
    const pid = pids(service).at(-1)!;
    process.kill(pid, 'SIGKILL');
    return pid;
  };

  /** The process the supervisor started in its place, once ready; the crash logged as every service's. */
  const restarted = async (service: string, killed: number): Promise<number> => {
    const pid = await eventually(async () => (pids(service).at(-1) !== killed ? pids(service).at(-1) : undefined), 60_000);
    expect(records).toContainEqual(expect.objectContaining({ service, signal: 'SIGKILL', restartInMs: 1_000, msg: 'service stopped unexpectedly; restarting' }));
    return pid;
  };

  /** Neither gone nor a zombie left to an init that may never reap it (a container's). */
  const running = (pid: number): boolean => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
    } catch {
      return false;
    }
  };

  it('restarts the Temporal dev server on its port and SQLite file: the dossiers it was running complete', async () => {
    await setAgencyFaults(simulatorUrl, 'police', { outage: true });
    const before = [await submit(), await submit()];
    expect(before.map((d) => d.status)).toEqual([201, 201]);
    for (const { dossierNumber } of before) await heldAtResidence(dossierNumber);

    const killed = kill('temporal-dev-server');
    // Accepted while Temporal is down (202, or 201 if it is back already): its workflow starts once it is.
    const during = await submit();
    expect([201, 202]).toContain(during.status);
    await restarted('temporal-dev-server', killed);
    await ready();

    const after = await submit();
    expect(after.status).toBe(201);
    await setAgencyFaults(simulatorUrl, 'police', { outage: false });
    // Held at the police step across the restart: completed by the workflows the new server found in the file.
    expect(await allEnded([...before, during, after].map((d) => d.dossierNumber))).toEqual(Array(4).fill('COMPLETED'));
  });

  it('restarts PostgreSQL on its port and data directory, past the postmaster.pid left behind: dossiers submitted around it complete', async () => {
    await setAgencyFaults(simulatorUrl, 'police', { outage: true });
    const before = await submit();
    expect(before.status).toBe(201);
    await heldAtResidence(before.dossierNumber);

    const lockFile = join(dataDir, 'postgres', 'postmaster.pid');
    const lockHolder = () => Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
    expect(lockHolder()).toBe(pids('embedded-postgres').at(-1));
    const killed = kill('embedded-postgres');
    // The number in the lock file left behind now names another live process of the server's user (PIDs
    // are reused): PostgreSQL alone would take it for a server still running and refuse to start.
    const owner = statSync(join(dataDir, 'postgres'));
    const impostor = spawn('sleep', ['60'], { uid: owner.uid, gid: owner.gid, stdio: 'ignore' });
    let during: Awaited<ReturnType<typeof submit>>;
    let postmaster: number;
    try {
      writeFileSync(lockFile, readFileSync(lockFile, 'utf8').replace(/^\d+/, String(impostor.pid)));
      // Submitted while the database is down: the desk is told 503 and tries again until it is back.
      during = await submit();
      postmaster = await restarted('embedded-postgres', killed);
    } finally {
      impostor.kill('SIGKILL');
    }
    expect([201, 202]).toContain(during.status);
    // The same data directory: the new server holds its lock file.
    expect(lockHolder()).toBe(postmaster);
    await ready();

    const after = await submit();
    expect(after.status).toBe(201);
    await setAgencyFaults(simulatorUrl, 'police', { outage: false });
    expect(await allEnded([before, during, after].map((d) => d.dossierNumber))).toEqual(Array(3).fill('COMPLETED'));
  });

  it('stops everything on Ctrl-C, restarting nothing', async () => {
    const servers = [pids('temporal-dev-server').at(-1)!, pids('embedded-postgres').at(-1)!];
    const crashesBefore = records.filter((r) => r.msg === 'service stopped unexpectedly; restarting').length;
    process.kill(-start.pid!, 'SIGINT');
    // 0 from npm start's own stop, or 130 when the embedded-postgres package's exit hook, which also
    // answers SIGINT, ends the process first, its server stopped.
    expect([0, 130]).toContain(await closed);
    expect(records.filter((r) => r.msg === 'service stopped unexpectedly; restarting')).toHaveLength(crashesBefore);
    await eventually(async () => (servers.some(running) ? undefined : true), 10_000);
  });
});
