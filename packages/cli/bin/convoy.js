#!/usr/bin/env node
// The `convoy` command. tsx is registered first so that users' `.ts` convoy modules load without a
// build step; the resolve fallback lets a module outside any project import `xstate` and `@convoy/*`
// from the CLI's own installation.
// In this repository the CLI runs from its TypeScript sources (no build needed); an installed package
// ships no `src` and runs the compiled `dist`.
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
registerHooks('./resolve-fallback.js', import.meta.url);
const source = new URL('../src/main.ts', import.meta.url);
await import(existsSync(source) ? source.href : new URL('../dist/main.js', import.meta.url).href);
