import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  assign,
  cancel,
  createEmptyActor,
  emit,
  fromPromise,
  initialTransition,
  log,
  raise,
  sendTo,
  setup,
  spawnChild,
  stopChild,
  transition,
} from 'xstate';
import type {
  AnyActorRef,
  AnyEventObject,
  AnyActorScope,
  AnyMachineSnapshot,
  AnyStateMachine,
  ExecutableActionObject,
} from 'xstate';
import { hydrateSnapshot } from './hydrate.ts';
import type { JsonValue } from './model.ts';
import { TransitionScope } from './transition-scope.ts';

/** The bench order machine's shape: a counting assign on every event, a final state. */
const orderMachine = setup({
  types: {
    context: {} as { count: number; lastN: number; outOfOrder: number },
    events: {} as
      | { type: 'OrderPlaced'; n: number }
      | { type: 'PaymentConfirmed'; n: number }
      | { type: 'ItemsShipped'; n: number }
      | { type: 'OrderCompleted'; n: number }
      | { type: 'NoteAdded'; n: number },
  },
  actions: {
    track: assign(({ context, event }) => ({
      count: context.count + 1,
      lastN: event.n,
      outOfOrder: context.outOfOrder + (event.n === context.lastN + 1 ? 0 : 1),
    })),
  },
}).createMachine({
  id: 'order',
  initial: 'new',
  context: { count: 0, lastN: 0, outOfOrder: 0 },
  states: {
    new: { on: { OrderPlaced: { target: 'awaitingPayment', actions: 'track' } } },
    awaitingPayment: {
      on: {
        PaymentConfirmed: { target: 'awaitingShipment', actions: 'track' },
        NoteAdded: { actions: 'track' },
      },
    },
    awaitingShipment: {
      on: { ItemsShipped: { target: 'shipped', actions: 'track' }, NoteAdded: { actions: 'track' } },
    },
    shipped: {
      on: { OrderCompleted: { target: 'completed', actions: 'track' }, NoteAdded: { actions: 'track' } },
    },
    completed: { type: 'final' },
  },
});

const orderEvents: AnyEventObject[] = [
  { type: 'OrderPlaced', n: 1 },
  { type: 'NoteAdded', n: 2 },
  { type: 'PaymentConfirmed', n: 3 },
  { type: 'NoteAdded', n: 5 },
  { type: 'ItemsShipped', n: 6 },
  { type: 'NoteAdded', n: 7 },
  { type: 'OrderCompleted', n: 8 },
];

/** Delays (`after`), immediate and delayed `raise`, `cancel`, `emit`, `log`, `sendTo`, named actions with params. */
const timedMachine = setup({
  types: { context: {} as { pings: number; reminders: number } },
  actors: { fetch: fromPromise(async ({ input }: { input: { url: string } }) => input.url.length) },
  actions: {
    notify: (_, _params: { to: string; level: number }) => {},
    audit: (_, _params: { what: string }) => {},
  },
  delays: { reminder: 500 },
}).createMachine({
  id: 'timed',
  initial: 'idle',
  context: { pings: 0, reminders: 0 },
  states: {
    idle: {
      on: {
        START: {
          target: 'waiting',
          actions: [{ type: 'notify', params: { to: 'ops', level: 2 } }, raise({ type: 'KICK' })],
        },
      },
    },
    waiting: {
      entry: [raise({ type: 'REMIND' }, { delay: 'reminder', id: 'remind' }), emit({ type: 'waiting' })],
      exit: cancel('remind'),
      invoke: { id: 'fetcher', src: 'fetch', input: { url: 'https://example.test/x' } },
      after: { 1000: { target: 'expired', actions: { type: 'audit', params: { what: 'expired' } } } },
      on: {
        KICK: { actions: [assign({ pings: ({ context }) => context.pings + 1 }), log('kicked')] },
        REMIND: {
          actions: [
            assign({ reminders: ({ context }) => context.reminders + 1 }),
            raise({ type: 'REMIND' }, { delay: 'reminder', id: 'remind' }),
          ],
        },
        PING: { actions: sendTo('fetcher', { type: 'PING' }) },
        'xstate.done.actor.fetcher': {
          target: 'done',
          actions: { type: 'audit', params: { what: 'fetched' } },
        },
        STOP: 'idle',
      },
    },
    expired: { on: { RETRY: 'waiting' } },
    done: { type: 'final' },
  },
});

const timedEvents: AnyEventObject[] = [
  { type: 'START' },
  { type: 'REMIND' },
  { type: 'PING' },
  { type: 'xstate.after.1000.timed.waiting' },
  { type: 'RETRY' },
  { type: 'STOP' },
  { type: 'START' },
  { type: 'xstate.done.actor.fetcher', output: 22, actorId: 'fetcher' },
  { type: 'START' },
];

/** Nested and parallel states, guards (named with params, inline, `stateIn`-like checks), history, spawn/stop. */
const nestedMachine = setup({
  types: { context: {} as { total: number; items: string[] } },
  actors: { job: fromPromise(async () => 'ok') },
  guards: {
    atLeast: ({ context }, params: { min: number }) => context.total >= params.min,
  },
  actions: {
    ship: (_, _params: { items: number }) => {},
    add: assign(({ context, event }) => ({
      total: context.total + 1,
      items: [...context.items, String(event.item)],
    })),
  },
}).createMachine({
  id: 'nested',
  type: 'parallel',
  context: { total: 0, items: [] },
  states: {
    cart: {
      initial: 'open',
      states: {
        open: {
          initial: 'empty',
          states: {
            empty: { on: { ADD: { target: 'filled', actions: 'add' } } },
            filled: {
              on: {
                ADD: { actions: 'add' },
                CHECKOUT: [
                  {
                    guard: { type: 'atLeast', params: { min: 3 } },
                    target: '#nested.cart.checkedOut',
                    actions: { type: 'ship', params: { items: 3 } },
                  },
                  { guard: ({ context }) => context.items.length > 5, target: '#nested.cart.checkedOut' },
                ],
              },
            },
            hist: { type: 'history', history: 'deep' },
          },
          on: { PAUSE: 'paused' },
        },
        paused: { on: { RESUME: 'open.hist' } },
        checkedOut: {
          entry: spawnChild('job', { id: 'packer' }),
          on: { CANCEL: { target: 'open', actions: stopChild('packer') } },
        },
      },
    },
    alerts: {
      initial: 'quiet',
      states: {
        quiet: { on: { ADD: { guard: ({ context }) => context.total >= 1, target: 'loud' } } },
        loud: { on: { HUSH: 'quiet' } },
      },
    },
  },
});

const nestedEvents: AnyEventObject[] = [
  { type: 'ADD', item: 'a' },
  { type: 'CHECKOUT' },
  { type: 'ADD', item: 'b' },
  { type: 'PAUSE' },
  { type: 'RESUME' },
  { type: 'ADD', item: 'c' },
  { type: 'HUSH' },
  { type: 'CHECKOUT' },
  { type: 'CANCEL' },
  { type: 'UNKNOWN' },
  { type: 'CHECKOUT' },
];

/**
 * A state invoking a child with a `systemId`, left and re-entered; `POKE` sends to `system.get('worker')`,
 * which under xstate's `transition()` never finds a child an earlier event created (so it targets `self`).
 */
const systemIdMachine = setup({ actors: { worker: fromPromise(async () => 1) } }).createMachine({
  id: 'sys',
  initial: 'busy',
  states: {
    busy: {
      invoke: { id: 'w', src: 'worker', systemId: 'worker' },
      on: {
        PAUSE: 'idle',
        POKE: { actions: sendTo(({ system }) => system.get('worker') as AnyActorRef, { type: 'POKED' }) },
      },
    },
    idle: { on: { RESUME: 'busy' } },
  },
});

const systemIdEvents: AnyEventObject[] = [
  { type: 'PAUSE' },
  { type: 'RESUME' },
  { type: 'POKE' },
  { type: 'PAUSE' },
  { type: 'RESUME' },
  { type: 'POKE' },
];

/** Actor refs as their id (a child) or `self` (the inert root, whose session id is arbitrary). */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'function') return '[function]';
  if (typeof value !== 'object' || value === null) return value;
  if ('sessionId' in value && 'send' in value) {
    const ref = value as AnyActorRef;
    return ref._parent === undefined ? { actor: 'self' } : { actor: ref.id };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

function actionList(actions: readonly ExecutableActionObject[]): unknown[] {
  return actions.map((action) => ({ type: action.type, params: plain(action.params) }));
}

function persisted(machine: AnyStateMachine, snapshot: AnyMachineSnapshot): JsonValue {
  return JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot))) as JsonValue;
}

function restored(machine: AnyStateMachine, json: JsonValue, scope?: TransitionScope): AnyMachineSnapshot {
  const hydrated = hydrateSnapshot(machine, json, scope);
  if (!hydrated.ok) throw new Error(hydrated.reason);
  return hydrated.snapshot;
}

/**
 * Steps `events` through xstate's `transition()` and through TransitionScope side by side and compares
 * the persisted snapshot and the actions after every event. A new scope (and a hydration through it, as
 * `stepConvoy` does) every `batch` events; the reference side restores with `hydrateSnapshot` as before.
 */
function compare(machine: AnyStateMachine, events: readonly AnyEventObject[], batch: number): number {
  const [initial] = initialTransition(machine);
  let reference: AnyMachineSnapshot = initial;
  let ours: AnyMachineSnapshot = initial;
  let scope = new TransitionScope(machine);
  let fallbacks = 0;
  events.forEach((event, index) => {
    if (index > 0 && index % batch === 0) {
      fallbacks += scope.fallbacks;
      scope = new TransitionScope(machine);
      reference = restored(machine, persisted(machine, reference));
      ours = restored(machine, persisted(machine, ours), scope);
      expect(persisted(machine, ours)).toEqual(persisted(machine, reference));
    }
    const [referenceNext, referenceActions] = transition(machine, reference, event);
    const [oursNext, oursActions] = scope.transition(ours, event);
    const where = `${machine.id}, event ${index} (${event.type})`;
    expect(oursNext.status, where).toBe(referenceNext.status);
    expect(persisted(machine, oursNext), where).toEqual(persisted(machine, referenceNext));
    expect(actionList(oursActions), where).toEqual(actionList(referenceActions));
    reference = referenceNext;
    ours = oursNext;
  });
  return fallbacks + scope.fallbacks;
}

const machines: [string, AnyStateMachine, AnyEventObject[]][] = [
  ['the bench order machine', orderMachine, orderEvents],
  ['after, raise, cancel, emit, log, sendTo, named actions with params, invoke', timedMachine, timedEvents],
  ['nested and parallel states, guards, history, spawnChild/stopChild', nestedMachine, nestedEvents],
  ['an invoked child with a systemId, left and re-entered', systemIdMachine, systemIdEvents],
];

describe('TransitionScope: the same results as xstate transition()', () => {
  for (const [name, machine, events] of machines) {
    for (const batch of [1, 3, 1000]) {
      it(`${name}, batches of ${batch}`, () => {
        expect(compare(machine, events, batch)).toBe(0);
      });
    }
  }

  it('the machines do what the comparison claims to cover (actions are not all empty)', () => {
    const types = new Set<string>();
    for (const [, machine, events] of machines) {
      let snapshot: AnyMachineSnapshot = initialTransition(machine)[0];
      const scope = new TransitionScope(machine);
      for (const event of events) {
        const [next, actions] = scope.transition(snapshot, event);
        for (const action of actions) types.add(action.type);
        snapshot = next;
      }
    }
    for (const type of [
      'notify',
      'audit',
      'ship',
      'xstate.raise',
      'xstate.cancel',
      'xstate.emit',
      'xstate.log',
      'xstate.sendTo',
      'xstate.spawnChild',
      'xstate.stopChild',
    ]) {
      expect(types, type).toContain(type);
    }
  });

  it('starts from a snapshot hydrated the old way (an actor of the machine) as well', () => {
    const [initial] = initialTransition(timedMachine);
    const [started] = transition(timedMachine, initial, { type: 'START' });
    const hydrated = restored(timedMachine, persisted(timedMachine, started));
    const scope = new TransitionScope(timedMachine);
    for (const event of timedEvents.slice(1, 4)) {
      const [reference, referenceActions] = transition(timedMachine, hydrated, event);
      const [ours, oursActions] = scope.transition(hydrated, event);
      expect(persisted(timedMachine, ours)).toEqual(persisted(timedMachine, reference));
      expect(actionList(oursActions)).toEqual(actionList(referenceActions));
    }
  });

  it('a genuine failure fails as under xstate (after one retry through the fallback)', () => {
    const machine = setup({}).createMachine({
      initial: 'a',
      states: {
        a: {
          on: {
            GO: {
              guard: () => {
                throw new Error('guard broke');
              },
              target: 'b',
            },
          },
        },
        b: {},
      },
    });
    const [initial] = initialTransition(machine);
    expect(() => transition(machine, initial, { type: 'GO' })).toThrow(/guard broke/);
    const scope = new TransitionScope(machine);
    expect(() => scope.transition(initial, { type: 'GO' })).toThrow(/guard broke/);
    expect(scope.fallbacks).toBe(1);
  });

  it('hydrating through a scope reports what hydrating through an actor reports', () => {
    const [initial] = initialTransition(timedMachine);
    const good = persisted(timedMachine, initial);
    const gone = { ...(good as Record<string, JsonValue>), value: 'nowhere' };
    const noChildren = { ...(good as Record<string, JsonValue>), children: null };
    for (const json of [good, gone, noChildren, 'text', null]) {
      expect(hydrateSnapshot(timedMachine, json, new TransitionScope(timedMachine)).ok).toBe(
        hydrateSnapshot(timedMachine, json).ok,
      );
      const viaScope = hydrateSnapshot(timedMachine, json, new TransitionScope(timedMachine));
      const viaActor = hydrateSnapshot(timedMachine, json);
      if (!viaScope.ok && !viaActor.ok) expect(viaScope.reason).toBe(viaActor.reason);
    }
  });
});

describe('TransitionScope: reuse that would collide, and the fallback', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** The naive reuse: one inert scope over one system for the whole batch, never swapped. */
  function naiveScope(): AnyActorScope {
    const self = createEmptyActor();
    const noop = (): void => {};
    return {
      self,
      id: '',
      sessionId: '',
      logger: noop,
      defer: noop,
      emit: noop,
      stopChild: noop,
      system: self.system,
      actionExecutor: noop,
    };
  }

  /** Steps the systemId machine through `events` in one naive scope: the error of the failing event, if any. */
  function naiveRun(events: readonly AnyEventObject[], scope: AnyActorScope): [AnyMachineSnapshot, unknown] {
    let snapshot: AnyMachineSnapshot = initialTransition(systemIdMachine)[0];
    for (const event of events) {
      try {
        snapshot = systemIdMachine.transition(snapshot, event, scope);
      } catch (error) {
        return [snapshot, error];
      }
      if (snapshot.status === 'error') return [snapshot, snapshot.error];
    }
    return [snapshot, undefined];
  }

  it('a naively reused system collides when the invoking state is re-entered in the batch', () => {
    const [, error] = naiveRun(systemIdEvents, naiveScope());
    expect(String(error)).toMatch(/Actor with system ID 'worker' already exists/);
    // xstate's transition() (a fresh system per event) does not.
    let snapshot: AnyMachineSnapshot = initialTransition(systemIdMachine)[0];
    for (const event of systemIdEvents) [snapshot] = transition(systemIdMachine, snapshot, event);
    expect(snapshot.status).toBe('active');
    expect(snapshot.value).toBe('busy');
  });

  it('TransitionScope does not collide (it swaps the system) and matches xstate', () => {
    expect(compare(systemIdMachine, [...systemIdEvents, ...systemIdEvents], 1000)).toBe(0);
  });

  it('when the reused scope does collide, the fallback gives xstate transition() result', () => {
    // Bring a naive scope to the point where re-entering `busy` collides, then make TransitionScope's
    // first attempt run in that scope: the collision is xstate's own, the retry is xstate's transition().
    const dirty = naiveScope();
    const [before] = naiveRun(systemIdEvents.slice(0, 4), dirty);
    expect(before.value).toBe('idle');
    const original = systemIdMachine.transition.bind(systemIdMachine);
    const spy = vi
      .spyOn(systemIdMachine, 'transition')
      .mockImplementationOnce((snapshot, event) => original(snapshot, event, dirty));
    const scope = new TransitionScope(systemIdMachine);
    const [ours, oursActions] = scope.transition(before, { type: 'RESUME' });
    expect(spy).toHaveBeenCalledTimes(2);
    expect(scope.fallbacks).toBe(1);
    spy.mockRestore();
    const [reference, referenceActions] = transition(systemIdMachine, before, { type: 'RESUME' });
    expect(ours.status).toBe('active');
    expect(persisted(systemIdMachine, ours)).toEqual(persisted(systemIdMachine, reference));
    expect(actionList(oursActions)).toEqual(actionList(referenceActions));
  });

  it('a reused-scope result with status error is retried the same way', () => {
    const [initial] = initialTransition(orderMachine);
    const original = orderMachine.transition.bind(orderMachine);
    vi.spyOn(orderMachine, 'transition').mockImplementationOnce((snapshot, event, actorScope) => {
      const next = original(snapshot, event, actorScope);
      return { ...next, status: 'error', error: new Error('leaked') } as typeof next;
    });
    const scope = new TransitionScope(orderMachine);
    const placed: AnyEventObject = { type: 'OrderPlaced', n: 1 };
    const [ours] = scope.transition(initial, placed);
    expect(scope.fallbacks).toBe(1);
    expect(ours.status).toBe('active');
    expect(ours.value).toBe('awaitingPayment');
  });

  it('restored children with a systemId do not leak into the next transition', () => {
    const [initial] = initialTransition(systemIdMachine);
    const json = persisted(systemIdMachine, initial);
    const scope = new TransitionScope(systemIdMachine);
    const snapshot = restored(systemIdMachine, json, scope);
    // The restored child registered `worker`; a fresh system per transition sees none of it.
    let ours = snapshot;
    let reference = restored(systemIdMachine, json);
    for (const event of systemIdEvents) {
      const [o] = scope.transition(ours, event);
      const [r] = transition(systemIdMachine, reference, event);
      expect(persisted(systemIdMachine, o)).toEqual(persisted(systemIdMachine, r));
      ours = o;
      reference = r;
    }
    expect(scope.fallbacks).toBe(0);
  });
});

/** Context from input, an entry action with params, and an initial state invoking a child with a systemId. */
const startMachine = setup({
  types: { input: {} as { id: string }, context: {} as { id: string; started: boolean } },
  actions: { announce: (_, _params: { id: string }) => undefined },
  actors: { worker: fromPromise(async () => 1) },
}).createMachine({
  id: 'start',
  context: ({ input }) => ({ id: input.id, started: true }),
  entry: [{ type: 'announce', params: ({ context }) => ({ id: context.id }) }],
  initial: 'working',
  states: {
    working: { invoke: { id: 'job', src: 'worker', systemId: 'job' }, on: { Next: 'idle' } },
    idle: {},
  },
});

describe('TransitionScope.initial: the same results as xstate initialTransition()', () => {
  const cases: [string, AnyStateMachine, unknown][] = [
    ...machines.map(([name, machine]): [string, AnyStateMachine, unknown] => [name, machine, undefined]),
    ['context from input, entry params, an initial invoke with a systemId', startMachine, { id: 'o-1' }],
  ];
  for (const [name, machine, input] of cases) {
    it(name, () => {
      const scope = new TransitionScope(machine);
      // Twice in one scope: the second start must not see what the first registered (systemId).
      for (let round = 0; round < 2; round += 1) {
        const [reference, referenceActions] = initialTransition(machine, input);
        const [ours, oursActions] = scope.initial(input);
        expect(ours.status).toBe(reference.status);
        expect(persisted(machine, ours)).toEqual(persisted(machine, reference));
        expect(actionList(oursActions)).toEqual(actionList(referenceActions));
      }
      expect(scope.fallbacks).toBe(0);
    });
  }

  it('a throwing context factory ends in an error snapshot as under xstate (after the fallback)', () => {
    const failing = setup({}).createMachine({
      context: () => {
        throw new Error('no context');
      },
    });
    const scope = new TransitionScope(failing);
    const [reference] = initialTransition(failing);
    const [ours] = scope.initial(undefined);
    expect(reference.status).toBe('error');
    expect(ours.status).toBe('error');
    expect(String(ours.error)).toBe(String(reference.error));
    expect(String(ours.error)).toContain('no context');
    expect(scope.fallbacks).toBe(1);
  });
});
