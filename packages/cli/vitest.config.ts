import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@convoy/cli', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
