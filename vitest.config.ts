import { defineConfig } from 'vitest/config';

// One vitest run across every package; each package is a project so results name their package.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
