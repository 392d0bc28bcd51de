/**
 * The operator routes: list convoys and dead letters, redrive / discard dead letters, pause / resume /
 * retry a convoy, and read its pending inbox, deferred events and armed timers.
 */
import { ConvoyError } from '@convoy/core';
import type {
  ConvoyGateway,
  ConvoyKey,
  ConvoyStatus,
  DeadLetter,
  DeferredEvent,
  InboxEvent,
  TimerArm,
} from '@convoy/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { guardOptions, type AuthHooks } from './auth.ts';
import { routeSchemas } from './openapi.ts';
import {
  assertQueryNames,
  quote,
  readConvoyKey,
  readConvoyType,
  readIntegerQuery,
} from './request-parsing.ts';

/** Largest page a list route returns. */
const maxLimit = 500;
/** Operator bodies are tiny (`{"seq": 7}`): anything bigger is refused early. */
const operatorBodyLimit = 1024;
const statuses: readonly ConvoyStatus[] = ['active', 'done', 'blocked', 'stalled', 'paused'];

const iso = (ms: number): string => new Date(ms).toISOString();

/** A dead letter as the API shows it: the convoy key flattened, `at` as ISO 8601. */
export function toDeadLetterItem(letter: DeadLetter): Record<string, unknown> {
  const { key, at, ...rest } = letter;
  return { type: key.type, id: key.id, ...rest, at: iso(at) };
}

function toInboxItem(event: InboxEvent | DeferredEvent): Record<string, unknown> {
  const deferredAt = 'deferredAt' in event ? { deferredAt: iso(event.deferredAt) } : {};
  return { ...event, acceptedAt: iso(event.acceptedAt), ...deferredAt };
}

function toTimerItem(timer: TimerArm): Record<string, unknown> {
  return { ...timer, dueAt: iso(timer.dueAt) };
}

/** An optional single-valued string query parameter. */
function readStringQuery(query: unknown, name: string): string | undefined {
  const raw = (query as Record<string, unknown> | undefined)?.[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 512) {
    throw new ConvoyError(
      'invalid_request',
      `Query parameter "${name}" must be given once, 1 to 512 characters`,
    );
  }
  return raw;
}

/** `updatedAfter`: an ISO 8601 time or epoch milliseconds. */
function readTimeQuery(query: unknown, name: string): number | undefined {
  const raw = readStringQuery(query, name);
  if (raw === undefined) return undefined;
  const ms = /^\d{1,16}$/.test(raw)
    ? Number(raw)
    : /^\d{4}-\d\d-\d\dT/.test(raw)
      ? Date.parse(raw)
      : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new ConvoyError(
      'invalid_request',
      `Query parameter "${name}" must be an ISO 8601 time or epoch ms`,
    );
  }
  return ms;
}

function readStatusQuery(query: unknown): ConvoyStatus | undefined {
  const raw = readStringQuery(query, 'status');
  if (raw === undefined) return undefined;
  if (!(statuses as readonly string[]).includes(raw)) {
    throw new ConvoyError(
      'invalid_request',
      `Unknown status ${quote(raw)} (expected: ${statuses.join(', ')})`,
    );
  }
  return raw as ConvoyStatus;
}

/** The optional redrive body: nothing (all letters) or `{ "seq": n }`. */
function readRedriveBody(body: unknown): number | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ConvoyError('invalid_request', 'Body must be empty or a JSON object {"seq": n}');
  }
  const names = Object.keys(body);
  const { seq } = body as { seq?: unknown };
  if (
    names.some((name) => name !== 'seq') ||
    (seq !== undefined && !(Number.isSafeInteger(seq) && (seq as number) >= 1))
  ) {
    throw new ConvoyError('invalid_request', 'Body must be empty or {"seq": n} with n an integer >= 1');
  }
  return seq as number | undefined;
}

function readSeqParam(params: unknown): number {
  const raw = (params as Record<string, unknown> | undefined)?.['seq'];
  const seq = typeof raw === 'string' && /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(seq))
    throw new ConvoyError('invalid_request', 'The dead letter seq must be an integer >= 1');
  return seq;
}

/** The operator's name for the history: the authenticated principal, when there is one. */
function by(request: FastifyRequest): { by?: string } {
  return request.convoyPrincipal === undefined ? {} : { by: request.convoyPrincipal };
}

function notFound(key: ConvoyKey): ConvoyError {
  return new ConvoyError('convoy_not_found', `Convoy ${key.type}/${key.id} has never received an event`, {
    ...key,
  });
}

/** Register the operator routes on an (encapsulated) instance. */
export function registerOperatorRoutes(
  instance: FastifyInstance,
  gateway: ConvoyGateway,
  auth: AuthHooks,
): void {
  const read = guardOptions(auth, 'read');
  const operate = guardOptions(auth, 'operate');

  instance.get('/convoys/:type', { schema: routeSchemas['GET /convoys/:type'], ...read }, async (request) => {
    const type = readConvoyType(request.params);
    const { query } = request;
    assertQueryNames(query, ['status', 'state', 'updatedAfter', 'cursor', 'limit']);
    const status = readStatusQuery(query);
    const state = readStringQuery(query, 'state');
    const updatedAfter = readTimeQuery(query, 'updatedAfter');
    const cursor = readStringQuery(query, 'cursor');
    const limit = readIntegerQuery(query, 'limit', { min: 1, max: maxLimit });
    return gateway.listConvoys({
      type,
      ...(status === undefined ? {} : { status }),
      ...(state === undefined ? {} : { state }),
      ...(updatedAfter === undefined ? {} : { updatedAfter }),
      ...(cursor === undefined ? {} : { cursor }),
      ...(limit === undefined ? {} : { limit }),
    });
  });

  instance.get(
    '/dead-letters/:type',
    { schema: routeSchemas['GET /dead-letters/:type'], ...read },
    async (request) => {
      const type = readConvoyType(request.params);
      assertQueryNames(request.query, ['cursor', 'limit']);
      const cursor = readStringQuery(request.query, 'cursor');
      const limit = readIntegerQuery(request.query, 'limit', { min: 1, max: maxLimit });
      const page = await gateway.listDeadLetters({
        type,
        ...(cursor === undefined ? {} : { cursor }),
        ...(limit === undefined ? {} : { limit }),
      });
      return { items: page.items.map(toDeadLetterItem), cursor: page.cursor };
    },
  );

  instance.get(
    '/convoys/:type/:id/dead-letters',
    { schema: routeSchemas['GET /convoys/:type/:id/dead-letters'], ...read },
    async (request) => {
      const key = readConvoyKey(request.params);
      assertQueryNames(request.query, []);
      if ((await gateway.getConvoy(key)) === null) throw notFound(key);
      return { items: (await gateway.getDeadLetters(key)).map(toDeadLetterItem) };
    },
  );

  instance.post(
    '/convoys/:type/:id/dead-letters/redrive',
    {
      schema: routeSchemas['POST /convoys/:type/:id/dead-letters/redrive'],
      bodyLimit: operatorBodyLimit,
      ...operate,
    },
    async (request) => {
      const key = readConvoyKey(request.params);
      assertQueryNames(request.query, []);
      const seq = readRedriveBody(request.body);
      return gateway.redriveDeadLetters(key, { ...by(request), ...(seq === undefined ? {} : { seq }) });
    },
  );

  instance.delete(
    '/convoys/:type/:id/dead-letters/:seq',
    {
      schema: routeSchemas['DELETE /convoys/:type/:id/dead-letters/:seq'],
      bodyLimit: operatorBodyLimit,
      ...operate,
    },
    async (request, reply) => {
      const key = readConvoyKey(request.params);
      const seq = readSeqParam(request.params);
      assertQueryNames(request.query, []);
      await gateway.discardDeadLetter(key, seq, by(request));
      return reply.code(204).send();
    },
  );

  const actions = {
    pause: (key: ConvoyKey, request: FastifyRequest) => gateway.pauseConvoy(key, by(request)),
    resume: (key: ConvoyKey, request: FastifyRequest) => gateway.resumeConvoy(key, by(request)),
    retry: (key: ConvoyKey, request: FastifyRequest) => gateway.retryConvoy(key, by(request)),
  } as const;
  for (const [action, run] of Object.entries(actions)) {
    const path = `/convoys/:type/:id/${action}` as const;
    const schema = routeSchemas[`POST ${path}` as 'POST /convoys/:type/:id/pause'];
    instance.post(path, { schema, bodyLimit: operatorBodyLimit, ...operate }, async (request) => {
      const key = readConvoyKey(request.params);
      assertQueryNames(request.query, []);
      return run(key, request);
    });
  }

  instance.get(
    '/convoys/:type/:id/inbox',
    { schema: routeSchemas['GET /convoys/:type/:id/inbox'], ...read },
    async (request) => {
      const key = readConvoyKey(request.params);
      assertQueryNames(request.query, ['limit']);
      const limit = readIntegerQuery(request.query, 'limit', { min: 1, max: maxLimit });
      const inbox = await gateway.getInbox(key, limit);
      if (inbox === null) throw notFound(key);
      return { items: inbox.map(toInboxItem) };
    },
  );

  instance.get(
    '/convoys/:type/:id/deferred',
    { schema: routeSchemas['GET /convoys/:type/:id/deferred'], ...read },
    async (request) => {
      const key = readConvoyKey(request.params);
      assertQueryNames(request.query, []);
      const deferred = await gateway.getDeferred(key);
      if (deferred === null) throw notFound(key);
      return { items: deferred.map(toInboxItem) };
    },
  );

  instance.get(
    '/convoys/:type/:id/timers',
    { schema: routeSchemas['GET /convoys/:type/:id/timers'], ...read },
    async (request) => {
      const key = readConvoyKey(request.params);
      assertQueryNames(request.query, []);
      const timers = await gateway.getTimers(key);
      if (timers === null) throw notFound(key);
      return { items: timers.map(toTimerItem) };
    },
  );
}
