import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../runtime/free-port';
import type { ObjectStore } from '../runtime/object-store';
import { s3ObjectStore } from '../runtime/s3-object-store';
import { projectRoot } from '../runtime/tools';

/**
 * The attachments' S3-compatible store for a chaos run: moto_server (installed by scripts/provision.sh),
 * reached by the API through a TCP relay the suite can cut. A cut refuses new connections and breaks
 * those in flight, as an unreachable store does, while the objects already stored stay in moto's
 * memory: an outage of the store, not the loss of its disks.
 */
export interface ChaosObjectStore {
  /** The settings that point the API at the store, through the relay. */
  env: Record<string, string>;
  /** The store as seen directly, for the audit: whatever the relay's state. */
  store: ObjectStore;
  process: ChildProcess;
  /** Cuts the relay: every call to the store fails until `up`. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

const motoServer = join(projectRoot, '.tools/venv/bin/moto_server');
const bucket = 'chaos-attachments';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP relay from `port` to `target`; closing it also breaks the connections it carries. */
function relay(port: number, target: number) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const open = () =>
    new Promise<void>((done, fail) => {
      server = createServer((client) => {
        const upstream = connect(target, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.once('close', () => sockets.delete(socket));
          // A broken connection is the fault under test, not the suite's error.
          socket.on('error', () => (socket === client ? upstream : client).destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => done());
    });
  const close = async () => {
    const closing = server;
    server = undefined;
    if (!closing) return;
    const closed = new Promise<void>((done) => closing.close(() => done()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return { open, close };
}

export async function startChaosObjectStore(log: number): Promise<ChaosObjectStore> {
  if (!existsSync(motoServer)) throw new Error(`${motoServer} is missing: run scripts/provision.sh (it installs moto from PyPI)`);
  // moto takes any credentials; the services and the audit's client are given these, never the operator's.
  const credentials = { AWS_ACCESS_KEY_ID: 'chaos', AWS_SECRET_ACCESS_KEY: 'chaos' };
  Object.assign(process.env, credentials);
  const [motoPort, relayPort] = [await freePort(), await freePort()];
  const moto = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(motoPort)], { stdio: ['ignore', log, log] });
  const direct = `http://127.0.0.1:${motoPort}`;
  const client = new S3Client({ region: 'us-east-1', endpoint: direct, forcePathStyle: true });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        break;
      } catch (error) {
        if (attempt > 150 || moto.exitCode !== null) throw new Error(`moto_server did not come up: ${(error as Error).name}`);
        await sleep(200);
      }
    }
  } finally {
    client.destroy();
  }
  const cut = relay(relayPort, motoPort);
  await cut.open();
  return {
    env: {
      ...credentials,
      ATTACHMENT_STORE: 's3',
      ATTACHMENT_S3_BUCKET: bucket,
      ATTACHMENT_S3_ENDPOINT: `http://127.0.0.1:${relayPort}`,
      ATTACHMENT_S3_REGION: 'us-east-1',
      ATTACHMENT_S3_FORCE_PATH_STYLE: 'true',
    },
    store: s3ObjectStore({ bucket, endpoint: direct, region: 'us-east-1', forcePathStyle: true }),
    process: moto,
    down: cut.close,
    up: cut.open,
    stop: async () => {
      await cut.close();
      moto.kill('SIGKILL');
    },
  };
}
