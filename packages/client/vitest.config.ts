import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@convoy/client', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
