import { defineConfig } from 'vitest/config';

/** `npm run test:reliability`: the long fault and bad-input suites, one file at a time (the machine is shared). */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 60 * 60_000,
    hookTimeout: 10 * 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
