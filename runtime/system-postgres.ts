import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDatabase, type PostgresServer } from './postgres-database';

/**
 * The machine's own PostgreSQL server (Debian's `postgresql` package), run on a data folder and a port
 * of our choosing: the performance bench measures the server a deployment runs, not the embedded one.
 * The folder is kept between starts, as the embedded server's is, so a restart finds its data.
 */
const user = 'postgres';
const password = 'postgres';

/** The folder holding `initdb` and `postgres`: PG_BIN, else the newest Debian install, else `pg_config --bindir`. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const hasServer = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  if (env.PG_BIN) {
    if (!hasServer(env.PG_BIN)) throw new Error(`PG_BIN=${env.PG_BIN} holds no initdb and postgres`);
    return env.PG_BIN;
  }
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian) ? readdirSync(debian).filter((v) => hasServer(join(debian, v, 'bin'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest) return join(debian, newest, 'bin');
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (hasServer(dir)) return dir;
  } catch {
    // No pg_config either: the message below says what to install.
  }
  throw new Error('PostgreSQL server binaries not found: install them (apt-get install postgresql) or set PG_BIN to the folder holding initdb and postgres');
}

/** PostgreSQL refuses to run as root: then the server runs as the `postgres` system user, which must exist. */
function serverIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === user);
  if (!entry) throw new Error(`running as root, PostgreSQL needs the '${user}' system user (Debian's postgresql package creates it)`);
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** Runs a server binary to its end, as the server's user; its output only matters when it fails. */
function run(binary: string, args: string[], identity: { uid: number; gid: number } | undefined): void {
  try {
    execFileSync(binary, args, { ...identity, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${binary} failed: ${(stderr || stdout || (error as Error).message).trim()}`);
  }
}

export async function startSystemPostgres(options: { dataDir: string; port: number; database: string }): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const identity = serverIdentity();
  if (identity) chownSync(options.dataDir, identity.uid, identity.gid);
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    // Password authentication even on loopback: other users of the machine cannot walk in.
    const passwordFile = `${options.dataDir}.pw`;
    writeFileSync(passwordFile, password, { mode: 0o600 });
    if (identity) chownSync(passwordFile, identity.uid, identity.gid);
    try {
      run(join(bin, 'initdb'), ['-D', options.dataDir, '-U', user, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'], identity);
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }
  const server = spawn(
    join(bin, 'postgres'),
    // Loopback TCP only; no Unix socket, whose default folder may not be writable by this user.
    ['-D', options.dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { ...identity, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr?.on('data', (chunk: Buffer) => void (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  // Until it accepts connections: a failed start ends the process, whose log then says why.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`PostgreSQL did not start: ${log.trim()}`);
    try {
      const url = await ensureDatabase({ port: options.port, user, password }, options.database);
      return {
        url,
        stop: async () => {
          // Fast shutdown: open sessions are ended, what was committed is on disk.
          if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
          await exited;
        },
      };
    } catch (error) {
      if (Date.now() > deadline) {
        server.kill('SIGKILL');
        throw new Error(`PostgreSQL did not accept connections within 60 s: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
