import { describe, expect, it } from 'vitest';
import { TEST_ENGINE, tempDir } from '../support/config.ts';
import { startTestServer } from '../support/server.ts';

// The harness itself: `npm run test:postgres` runs the server suites on PostgreSQL only if a test
// server really opens the engine of the run, and a restart finds what the previous run stored.
describe(`test servers on ${TEST_ENGINE}`, () => {
  it('open the engine of the run, and a restart on the same data directory finds the rows again', async () => {
    const tmp = tempDir();
    try {
      const first = await startTestServer({}, { dataDir: tmp.dir, listen: false });
      try {
        expect(first.app.volno.sql.engine).toBe(TEST_ENGINE);
        expect(first.config.storage.engine).toBe(TEST_ENGINE);
        await first.app.volno.sql.run(
          `INSERT INTO agents (agent_id, status, status_at, first_seen_at) VALUES ('harness', 'unknown', 1, 1)`,
        );
      } finally {
        await first.stop();
      }
      const again = await startTestServer({}, { dataDir: tmp.dir, listen: false });
      try {
        expect(await again.app.volno.sql.all(`SELECT agent_id FROM agents WHERE agent_id = 'harness'`)).toEqual([
          { agent_id: 'harness' },
        ]);
      } finally {
        await again.stop();
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('give a fresh data directory a fresh database', async () => {
    const s = await startTestServer({}, { listen: false });
    try {
      expect(await s.app.volno.sql.all(`SELECT agent_id FROM agents WHERE agent_id = 'harness'`)).toEqual([]);
    } finally {
      await s.stop();
    }
  });
});
