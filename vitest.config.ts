import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real brokers, RTSP servers and ffmpeg; on a 2-core machine that needs room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One seed for every property test (test/support/property-seed.ts; VOLNO_TEST_SEED overrides).
    setupFiles: ['./test/support/property-seed.ts'],
    // With VOLNO_TEST_ENGINE=postgres: one throw-away PostgreSQL for the run (npm run test:postgres).
    globalSetup: ['./test/support/postgres-global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
