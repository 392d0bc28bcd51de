import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@convoy/core', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
