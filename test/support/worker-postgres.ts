// One throw-away PostgreSQL per test process (a Vitest fork runs one file), for server tests run with
// VOLNO_TEST_ENGINE=postgres. Everything here is synchronous on purpose: `testConfig()` is synchronous
// and called by many tests, and the database a server uses must exist before it opens it. The cluster
// starts on first use (pg_ctl -w waits until it accepts connections) and a watchdog stops and deletes
// it when this process ends, however it ends (Vitest ends its forks with SIGTERM, which skips 'exit').
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { initCluster, postgresAvailable, settingArgs } from './postgres.ts';

export interface WorkerPostgres {
  readonly port: number;
  /** The URL of database `name`, created on first request (names: lower-case letters, digits, `_`). */
  database(name: string): string;
  /** Drops database `name` if it exists, ending its sessions. */
  drop(name: string): void;
}

let worker: WorkerPostgres | undefined;

/** This process's PostgreSQL, started on the first call. Fails (also outside CI) when PostgreSQL is absent. */
export function workerPostgres(): WorkerPostgres {
  if (worker !== undefined) return worker;
  if (!postgresAvailable()) throw new Error('VOLNO_TEST_ENGINE=postgres needs PostgreSQL (apt-get install postgresql)');
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
  // The watchdog holds a pipe from this process; when the pipe closes (this process ended) it stops
  // the cluster and deletes its folder. It ignores SIGINT so that Ctrl-C on the run still cleans up.
  const script = `trap '' INT; read -r _; "$1" -D "$2" -m immediate stop >/dev/null 2>&1; rm -rf "$3"`;
  const watchdog = spawn('/bin/sh', ['-c', script, 'volno-pg-watchdog', join(bin, 'pg_ctl'), data, dir], {
    ...as,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();

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
  worker = {
    port,
    database(name) {
      checkName(name);
      if (!created.has(name)) {
        psql(
          `SELECT 'CREATE DATABASE ${name}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${name}')\\gexec`,
        );
        created.add(name);
      }
      return `postgres://volno@127.0.0.1:${port}/${name}`;
    },
    drop(name) {
      checkName(name);
      psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      created.delete(name);
    },
  };
  return worker;
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
