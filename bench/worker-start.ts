import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { applyMigrations } from '../runtime/migrations';
import { startScratchServers } from '../runtime/scratch-servers';
import { projectRoot } from '../runtime/tools';
import { bundleFile, buildWorkflowBundle } from '../worker/workflow-bundle';

/**
 * Worker restart to first poll (`npm run bench:worker-start`): the time from spawning `worker/main.ts`
 * (as a deployment or `npm start`'s supervisor does) until Temporal sees it polling its task queue,
 * with the prebuilt workflow bundle against the baseline in the same run: the same worker bundling its
 * workflow code at start. BENCH_RUNS starts of each (default 5), alternated.
 */
const runs = Number(process.env.BENCH_RUNS ?? 5);

async function main(): Promise<void> {
  const servers = await startScratchServers({ database: 'lien_thong_bench_start' });
  const connection = await Connection.connect({ address: servers.temporalAddress });
  const digest = `${bundleFile}.sha256`;
  try {
    await applyMigrations(servers.databaseUrl);
    await buildWorkflowBundle();
    const samples: Record<'prebuilt' | 'bundled at start', number[]> = { prebuilt: [], 'bundled at start': [] };
    for (let i = 0; i < runs; i += 1) {
      samples.prebuilt.push(await timeToFirstPoll(servers, connection));
      // Without the digest the worker cannot trust the bundle, and bundles as it did before.
      renameSync(digest, `${digest}.aside`);
      try {
        samples['bundled at start'].push(await timeToFirstPoll(servers, connection));
      } finally {
        renameSync(`${digest}.aside`, digest);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const prebuilt = median(samples.prebuilt);
    const baseline = median(samples['bundled at start']);
    process.stdout.write(
      [
        '',
        `worker start to first poll, median of ${runs} (ms): ${samples.prebuilt.map(Math.round).join(', ')} | baseline ${samples['bundled at start'].map(Math.round).join(', ')}`,
        `  prebuilt bundle     ${prebuilt.toFixed(0)} ms   (target < 3000 ms)`,
        `  bundled at start    ${baseline.toFixed(0)} ms   (baseline, same run)`,
        `  ratio               ×${(prebuilt / baseline).toFixed(2)}`,
        '',
      ].join('\n'),
    );
  } finally {
    if (existsSync(`${digest}.aside`)) renameSync(`${digest}.aside`, digest);
    await connection.close();
    await servers.stop();
  }
}

/** Spawns a worker on a fresh task queue and waits until Temporal lists it as a poller of that queue. */
async function timeToFirstPoll(servers: { databaseUrl: string; temporalAddress: string }, connection: Connection): Promise<number> {
  const taskQueue = `bench-start-${randomUUID()}`;
  const started = performance.now();
  const worker: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'worker', 'main.ts')], {
    cwd: projectRoot,
    stdio: 'ignore',
    env: {
      ...process.env,
      LIEN_THONG_DEV_MODE: 'true',
      LOG_LEVEL: 'warn',
      DATABASE_URL: servers.databaseUrl,
      TEMPORAL_ADDRESS: servers.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      AGENCY_BASE_URL: 'http://127.0.0.1:9',
      WORKER_METRICS_PORT: '0',
      TEMPORAL_SDK_METRICS_PORT: '0',
    },
  });
  try {
    for (;;) {
      const { pollers } = await connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if ((pollers?.length ?? 0) > 0) return performance.now() - started;
      if (worker.exitCode !== null) throw new Error(`worker exited with ${worker.exitCode}`);
      if (performance.now() - started > 60_000) throw new Error('worker did not poll within 60 s');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => (worker.exitCode !== null ? r(undefined) : worker.once('exit', r)));
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
