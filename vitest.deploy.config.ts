import { defineConfig } from 'vitest/config';

// `npm run test:deploy`: the real nginx in front of real site processes (see test/deploy/). Slow by nature:
// it builds if needed, starts processes and waits on caches expiring.
export default defineConfig({
  test: {
    include: ['test/deploy/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/deploy.json' },
  },
});
