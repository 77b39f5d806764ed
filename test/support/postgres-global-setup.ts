// Vitest global setup: with VOLNO_TEST_ENGINE=postgres, one throw-away PostgreSQL for the whole run,
// shared by every test process (each server still gets its own database). Vitest runs each test file
// in its own process, so a cluster per process cost an initdb and a start (~1.2 s) per file.
import type { TestProject } from 'vitest/node';
import { postgresAvailable } from './postgres.ts';
import { startCluster } from './worker-postgres.ts';

export default function setup(project: TestProject): (() => void) | undefined {
  if (process.env['VOLNO_TEST_ENGINE'] !== 'postgres' || !postgresAvailable()) {
    project.provide('volnoTestPostgresPort', undefined);
    return undefined;
  }
  const cluster = startCluster();
  project.provide('volnoTestPostgresPort', cluster.port);
  return () => cluster.stop();
}
