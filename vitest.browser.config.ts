import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the site in Debian's Chromium (axe, Nu HTML Checker, screenshots, keyboard,
// print, Lighthouse). Files run one after another: each starts a browser, and Lighthouse's timings
// must not compete with another file's work on a 2-core machine.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/browser.json' },
  },
});
