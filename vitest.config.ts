import { defineConfig } from 'vitest/config';

// `npm test`: Node-only suites. Browser and deploy suites have their own configs.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'test/deploy/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
