/**
 * The files `convoy init` writes: a starter project with one convoy in TypeScript, its test on the
 * testing kit with simulated time, and how to serve it.
 */

/** Versions the starter depends on: this CLI's own version and its xstate peer range. */
export interface StarterVersions {
  readonly convoy: string;
  readonly xstate: string;
}

/** The fields of the starter's package.json (merged into an existing one by `convoy init`). */
export interface StarterManifest {
  readonly name: string;
  readonly version: string;
  readonly private: boolean;
  readonly type: 'module';
  readonly scripts: Readonly<Record<string, string>>;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
  readonly engines: Readonly<Record<string, string>>;
}

/** The starter's package.json. */
export function starterManifest(name: string, versions: StarterVersions): StarterManifest {
  const convoy = `^${versions.convoy}`;
  return {
    name,
    version: '0.0.0',
    private: true,
    type: 'module',
    scripts: {
      start: 'convoy serve ./src/convoys.ts',
      test: 'vitest run',
      typecheck: 'tsc --noEmit',
      diagram: 'convoy diagram ./src/convoys.ts order',
    },
    dependencies: {
      '@convoy/cli': convoy,
      '@convoy/core': convoy,
      '@convoy/runtime': convoy,
      xstate: versions.xstate,
    },
    devDependencies: {
      '@types/node': '^20.19.0',
      typescript: '~5.9.3',
      vitest: '~4.1.12',
    },
    engines: { node: '>=20.19.0' },
  };
}

/** The starter's files other than package.json, by path relative to the project folder. */
export function starterFiles(): ReadonlyMap<string, string> {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      skipLibCheck: true,
    },
    include: ['src', 'test'],
  };
  return new Map([
    ['tsconfig.json', `${JSON.stringify(tsconfig, null, 2)}\n`],
    ['.gitignore', 'node_modules\n'],
    ['src/convoys.ts', convoysModule],
    ['test/convoys.test.ts', convoysTest],
    ['README.md', readme],
  ]);
}

const convoysModule = `// Your convoys: one XState v5 machine per convoy type, one persisted actor per id.
import { assign, setup } from 'xstate';
import { defineConvoy } from '@convoy/core';

const machine = setup({
  types: {
    context: {} as { amount: number },
    events: {} as { type: 'OrderPlaced'; amount: number } | { type: 'PaymentReceived' } | { type: 'Shipped' },
  },
}).createMachine({
  id: 'order',
  initial: 'New',
  context: { amount: 0 },
  states: {
    New: {
      on: { OrderPlaced: { target: 'AwaitingPayment', actions: assign({ amount: ({ event }) => event.amount }) } },
    },
    AwaitingPayment: {
      // A durable timer: it survives restarts, and the testing kit fires it on simulated time.
      after: { 1800000: 'Canceled' },
      on: { PaymentReceived: 'Paid' },
    },
    Paid: { on: { Shipped: 'Shipped' } },
    Shipped: { type: 'final' },
    Canceled: { type: 'final' },
  },
});

/** \`Shipped\` arriving before \`PaymentReceived\` waits (deferred) instead of being lost. */
export const order = defineConvoy({ type: 'order', machine, unexpected: 'defer' });

export default [order];
`;

const convoysTest = `import { createConvoyTestKit } from '@convoy/runtime/testing';
import type { ConvoyTestKit } from '@convoy/runtime/testing';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { order } from '../src/convoys.ts';

// The real engine on the memory store, driven on a simulated clock: no waiting, no services.
let kit: ConvoyTestKit;
beforeEach(() => {
  kit = createConvoyTestKit({ definitions: [order] });
});
afterEach(() => kit.close());

test('an early Shipped waits for the payment, then applies', async () => {
  await kit.send('order', 'o-1', { type: 'OrderPlaced', amount: 42 });
  await kit.send('order', 'o-1', { type: 'Shipped' });
  expect((await kit.get('order', 'o-1'))?.value).toBe('AwaitingPayment');
  await kit.send('order', 'o-1', { type: 'PaymentReceived' });
  expect((await kit.get('order', 'o-1'))?.value).toBe('Shipped');
});

test('an unpaid order is canceled after 30 minutes of simulated time', async () => {
  await kit.send('order', 'o-2', { type: 'OrderPlaced', amount: 7 });
  await kit.advance(30 * 60_000);
  expect((await kit.get('order', 'o-2'))?.value).toBe('Canceled');
});
`;

const readme = `# A Convoy project

A [Convoy](https://www.npmjs.com/package/@convoy/cli) project: \`src/convoys.ts\` defines the \`order\`
convoy (an XState v5 machine), \`test/convoys.test.ts\` tests it on simulated time.

\`\`\`sh
npm install             # if you have not yet
npm test                # the convoy's tests (testing kit, simulated clock)
npm start               # convoy serve ./src/convoys.ts: HTTP on http://127.0.0.1:3000, console at /console
curl -X POST localhost:3000/convoys/order/o-1/events -H 'content-type: application/json' \\
     -d '{"type":"OrderPlaced","amount":42}'
curl localhost:3000/convoys/order/o-1
npx convoy diagram ./src/convoys.ts order   # a Mermaid diagram, no server needed
\`\`\`

\`npm start\` keeps convoys in memory (one process, lost on exit). For durable convoys on Redis:
\`npx convoy serve ./src/convoys.ts --redis redis://127.0.0.1:6379\`.
`;
