import { defineConfig } from 'vitest/config';

// `npm test`: Node-only suites. Browser and deploy suites have their own configs.
// The JSON report feeds scripts/test-summary.mjs, which prints one "N passed, N failed" line for CI.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'test/deploy/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/unit.json' },
  },
});
