// The PostgreSQL that server tests run on with VOLNO_TEST_ENGINE=postgres: the run's shared cluster
// (postgres-global-setup.ts), or one per test process when a test needs PostgreSQL in a SQLite run (the
// two-instance test). Everything here is synchronous on purpose: `testConfig()` is synchronous and
// called by many tests, and the database a server uses must exist before it opens it.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { inject } from 'vitest';
import { initCluster, postgresAvailable, postgresBinDir, settingArgs } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The port of the run's shared PostgreSQL (postgres-global-setup.ts), when it started one. */
    volnoTestPostgresPort: number | undefined;
  }
}

export interface WorkerPostgres {
  readonly port: number;
  /** The URL of database `name`, created on first request (names: lower-case letters, digits, `_`). */
  database(name: string): string;
  /** Drops database `name` if it exists, ending its sessions. */
  drop(name: string): void;
}

let worker: WorkerPostgres | undefined;

/**
 * This process's PostgreSQL: the run's shared cluster when the global setup started one
 * (test/support/postgres-global-setup.ts, `npm run test:postgres`), else one of its own, started on
 * the first call. Fails (also outside CI) when PostgreSQL is absent.
 */
export function workerPostgres(): WorkerPostgres {
  if (worker !== undefined) return worker;
  if (!postgresAvailable()) throw new Error('VOLNO_TEST_ENGINE=postgres needs PostgreSQL (apt-get install postgresql)');
  const shared = inject('volnoTestPostgresPort');
  const port = shared ?? startCluster().port;
  const bin = postgresBinDir()!;
  const psql = (sql: string) => {
    const r = spawnSync(
      join(bin, 'psql'),
      ['-X', '-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'volno', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1'],
      { input: sql, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`psql failed (${r.status ?? r.signal}): ${r.stderr}`);
  };
  const created = new Set<string>();
  const checkName = (name: string) => {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a database name for tests: ${name}`);
  };
  // On the shared cluster, names other processes could also pick (volno_two_instances_1) get this
  // process's id; names derived from a temporary directory are unique already.
  const local = (name: string) => (shared === undefined ? name : `${name}_p${process.pid}`.slice(0, 63));
  worker = {
    port,
    database(name) {
      checkName(name);
      const db = local(name);
      if (!created.has(db)) {
        psql(
          `SELECT 'CREATE DATABASE ${db}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${db}')\\gexec`,
        );
        created.add(db);
      }
      return `postgres://volno@127.0.0.1:${port}/${db}`;
    },
    drop(name) {
      checkName(name);
      const db = local(name);
      psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      created.delete(db);
    },
  };
  return worker;
}

/**
 * A cluster on a free port, started synchronously (pg_ctl -w waits until it accepts connections).
 * A watchdog holds a pipe from this process; when the pipe closes (this process ended, however) it
 * stops the cluster and deletes its folder. It ignores SIGINT so that Ctrl-C on the run still cleans
 * up. `stop()` does the same at once.
 */
export function startCluster(): { port: number; stop(): void } {
  const { bin, dir, data, as } = initCluster();
  let port = 0;
  // A few attempts: the free port can be taken between asking for it and binding it.
  for (let attempt = 1; port === 0; attempt += 1) {
    const candidate = freePortSync();
    const log = join(dir, `start-${attempt}.log`);
    const options = ['-p', String(candidate), '-k', dir, ...settingArgs()].join(' ');
    const started = spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', log, '-w', '-t', '30', 'start'], {
      ...as,
      encoding: 'utf8',
    });
    if (started.status === 0) port = candidate;
    else if (attempt >= 3) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`pg_ctl start failed (${started.status ?? started.signal}):\n${started.stdout}${started.stderr}`);
    }
  }
  const script = `trap '' INT; read -r _; "$1" -D "$2" -m immediate stop >/dev/null 2>&1; rm -rf "$3"`;
  const watchdog = spawn('/bin/sh', ['-c', script, 'volno-pg-watchdog', join(bin, 'pg_ctl'), data, dir], {
    ...as,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();
  return {
    port,
    stop() {
      spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { ...as, stdio: 'ignore' });
      watchdog.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A free TCP port on 127.0.0.1, found by a short-lived Node child, because this must not await. */
function freePortSync(): number {
  const code =
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  const port = Number(r.stdout);
  if (r.status !== 0 || !Number.isInteger(port) || port <= 0) throw new Error(`no free port: ${r.stderr}`);
  return port;
}
