#!/usr/bin/env node
// The `convoy` command. tsx is registered first so that both our TypeScript sources and the user's
// `.ts` convoy modules load without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
