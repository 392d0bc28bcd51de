import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@convoy/demo', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
