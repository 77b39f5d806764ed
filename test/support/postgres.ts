// A throw-away PostgreSQL from Debian's package, one per test file: initdb in a temporary folder,
// the server itself as a tracked child on a free 127.0.0.1 port, readiness by polling a real
// connection, and everything stopped and deleted afterwards.
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { freePort, hasExited, RingBuffer, stopChild, track, waitFor } from '../fixtures/process.ts';

/** The folder holding `initdb` and `postgres`: Debian keeps them out of PATH, under /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) {
    const bin = join(root, major, 'bin');
    if (existsSync(join(bin, 'postgres')) && existsSync(join(bin, 'initdb'))) return bin;
  }
  const which = spawnSync('sh', ['-c', 'command -v postgres'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim() : '';
  return found ? join(found, '..') : undefined;
}

/**
 * Whether PostgreSQL tests can run here. Absent binaries skip them with a note locally and fail
 * the file under CI=true, so CI never goes green by skipping the second engine.
 */
export function postgresAvailable(): boolean {
  if (postgresBinDir() !== undefined) return true;
  const why = 'PostgreSQL is not installed (apt-get install postgresql; see scripts/system-packages.txt)';
  if (process.env.CI === 'true') throw new Error(`${why}; it is required in CI`);
  console.warn(`[skip] ${why}`);
  return false;
}

export interface PostgresServer {
  /** URL of the `volno` database, owned by the `volno` superuser. */
  readonly url: string;
  readonly port: number;
  /** A new empty database on this server, so tests in one file do not see each other's rows. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** PostgreSQL refuses to run as root; as root, initdb and the server run as the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, but there is no postgres user to run as');
  return { uid, gid: id('-g') };
}

/** A new cluster in a temporary folder, owned by the user PostgreSQL runs as; the `volno` role is its superuser. */
export function initCluster(): { bin: string; dir: string; data: string; as: SpawnOptions } {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('PostgreSQL binaries not found');
  const dir = mkdtempSync(join(tmpdir(), 'volno-pg-'));
  const user = runAs();
  const as: SpawnOptions = user === undefined ? {} : { uid: user.uid, gid: user.gid };
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'volno', '-E', 'UTF8', '--no-sync'], {
    ...as,
    encoding: 'utf8',
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.signal}):\n${init.stdout}\n${init.stderr}`);
  }
  return { bin, dir, data, as };
}

/** Server settings for a throw-away cluster. */
const SETTINGS = {
  listen_addresses: '127.0.0.1',
  // Durability off: a test cluster is deleted afterwards, and fsync is most of its write time.
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  // Racing exclusion checks can deadlock; found after 100 ms instead of 1 s.
  deadlock_timeout: '100ms',
  // Several test servers of one file, each with its own pool, share the cluster.
  max_connections: '300',
};
export const settingArgs = () => Object.entries(SETTINGS).flatMap(([k, v]) => ['-c', `${k}=${v}`]);

export async function startPostgres(): Promise<PostgresServer> {
  const { bin, dir, data, as } = initCluster();
  // A few attempts: the free port can be taken between asking for it and binding it.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launch(bin, dir, data, as);
    } catch (err) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

async function launch(bin: string, dir: string, data: string, as: SpawnOptions): Promise<PostgresServer> {
  const port = await freePort();
  const logs = new RingBuffer();
  const child = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, ...settingArgs()], {
    ...as,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  child.stdout?.on('data', (d: Buffer) => logs.push(d));
  child.stderr?.on('data', (d: Buffer) => logs.push(d));
  const url = `postgres://volno@127.0.0.1:${port}/postgres`;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  try {
    await waitFor(
      async () => {
        if (hasExited(child)) throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}):\n${logs}`);
        return admin((c) => c.query('SELECT 1')).then(
          () => true,
          () => false,
        );
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'PostgreSQL to accept connections' },
    );
    await admin((c) => c.query('CREATE DATABASE volno'));
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  let databases = 0;
  let stopped = false;
  return {
    url: `postgres://volno@127.0.0.1:${port}/volno`,
    port,
    async createDatabase() {
      databases += 1;
      const name = `volno_test_${databases}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      return `postgres://volno@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // SIGINT is PostgreSQL's "fast" shutdown: it ends open sessions instead of waiting for them.
      if (!hasExited(child)) child.kill('SIGINT');
      await stopChild(child, { graceMs: 10_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One PostgreSQL for the calling test file, started before its tests and stopped after them.
 * Use with `describe.skipIf(!pg.available)`; `pg.server` throws when read while skipped.
 */
export function usePostgres(): { readonly available: boolean; readonly server: PostgresServer } {
  const available = postgresAvailable();
  let server: PostgresServer | undefined;
  if (available) {
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(async () => {
      await server?.stop();
    });
  }
  return {
    available,
    get server() {
      if (server === undefined) throw new Error('PostgreSQL was not started (not available, or read before beforeAll)');
      return server;
    },
  };
}
