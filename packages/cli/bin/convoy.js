#!/usr/bin/env node
// The `convoy` command. tsx is registered first so that both our TypeScript sources and the user's
// `.ts` convoy modules load without a build step; the resolve fallback lets a module outside this
// workspace import `xstate` and `@convoy/core` from the CLI's own installation.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
registerHooks('./resolve-fallback.js', import.meta.url);
await import('../src/main.ts');
