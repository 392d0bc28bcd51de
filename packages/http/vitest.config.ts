import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@convoy/http', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
