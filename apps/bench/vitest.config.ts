import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@convoy/bench', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
