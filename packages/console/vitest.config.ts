import { defineProject } from 'vitest/config';

export default defineProject({
  // The browser test starts Chromium and a real server: give it room on a 2-core machine.
  test: {
    name: '@convoy/console',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The page bundle the plugin serves is built from src/page before any test runs.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
