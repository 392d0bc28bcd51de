import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@convoy/runtime', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
