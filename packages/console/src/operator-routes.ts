/**
 * The console's operator routes: the convoy list of a type (from the gateway's status index), a convoy's
 * pending work (dead letters, inbox, deferred events, timers) and the operator actions (redrive, discard,
 * pause, resume, retry). They call the gateway directly, so they are guarded only by the `auth` option.
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
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';

/** What `GET /api/convoys/:type/:id/work` answers: everything waiting on or held by the convoy. */
export interface ConsoleConvoyWork {
  /** Oldest first. */
  readonly deadLetters: readonly DeadLetter[];
  /** Accepted, not yet processed, in seq order (at most 100). */
  readonly inbox: readonly InboxEvent[];
  /** Held by the `defer` policy, in arrival order. */
  readonly deferred: readonly DeferredEvent[];
  /** Armed timers, earliest first. */
  readonly timers: readonly TimerArm[];
}

/** Guards of the console's route groups (Fastify `preHandler` hooks); a group without one is open. */
export interface ConsoleAuth {
  /** Every `GET` route: the page, its assets, the JSON API and the live stream. */
  readonly read?: preHandlerAsyncHookHandler;
  /** The operator actions: redrive, discard, pause, resume, retry. */
  readonly operate?: preHandlerAsyncHookHandler;
}

const statuses: readonly ConvoyStatus[] = ['active', 'done', 'blocked', 'stalled', 'paused'];
const actions = ['pause', 'resume', 'retry'] as const;
type StatusAction = (typeof actions)[number];

interface ConvoyParams {
  readonly type: string;
  readonly id: string;
}

/** Who the console records as the actor of its operator actions. */
const by = 'console';

function optionalString(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 500) {
    throw new ConvoyError('invalid_request', `${name} must be one string of at most 500 characters`);
  }
  return value;
}

/** An ISO 8601 time or epoch milliseconds. */
function parseTime(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = /^\d{1,15}$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms))
    throw new ConvoyError('invalid_request', `${name} must be an ISO time or epoch ms`);
  return ms;
}

function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const limit = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= 500)) throw new ConvoyError('invalid_request', 'limit must be from 1 to 500');
  return limit;
}

function parseSeq(raw: unknown): number {
  const seq =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(seq) || seq < 1)
    throw new ConvoyError('invalid_request', 'seq must be a positive integer');
  return seq;
}

/** Validate the type (404 `unknown_convoy_type`) and the convoy's existence (404 `convoy_not_found`). */
async function readWork(gateway: ConvoyGateway, key: ConvoyKey): Promise<ConsoleConvoyWork> {
  gateway.describeType(key.type);
  const [inbox, deferred, timers, deadLetters] = await Promise.all([
    gateway.getInbox(key, 100),
    gateway.getDeferred(key),
    gateway.getTimers(key),
    gateway.getDeadLetters(key),
  ]);
  if (inbox === null) throw new ConvoyError('convoy_not_found', `Convoy ${key.type}/${key.id} not found`);
  return { deadLetters, inbox, deferred: deferred ?? [], timers: timers ?? [] };
}

/** Register the operator routes on the console's scope (already under its prefix and error handler). */
export function registerOperatorRoutes(
  scope: FastifyInstance,
  gateway: ConvoyGateway,
  operate: preHandlerAsyncHookHandler | undefined,
): void {
  const guarded = operate === undefined ? {} : { preHandler: operate };

  scope.get<{ Params: { type: string }; Querystring: Record<string, unknown> }>(
    '/api/types/:type/convoys',
    async (request) => {
      const query = request.query;
      const status = optionalString(query, 'status');
      if (status !== undefined && !statuses.includes(status as ConvoyStatus)) {
        throw new ConvoyError('invalid_request', `status must be one of ${statuses.join(', ')}`);
      }
      const cursor = optionalString(query, 'cursor');
      const state = optionalString(query, 'state');
      const updatedAfter = parseTime('updatedAfter', optionalString(query, 'updatedAfter'));
      const limit = parseLimit(optionalString(query, 'limit'));
      return gateway.listConvoys({
        type: request.params.type,
        ...(status === undefined ? {} : { status: status as ConvoyStatus }),
        ...(state === undefined ? {} : { state }),
        ...(updatedAfter === undefined ? {} : { updatedAfter }),
        ...(cursor === undefined ? {} : { cursor }),
        ...(limit === undefined ? {} : { limit }),
      });
    },
  );

  scope.get<{ Params: ConvoyParams }>('/api/convoys/:type/:id/work', async (request) =>
    readWork(gateway, { type: request.params.type, id: request.params.id }),
  );

  scope.post<{ Params: ConvoyParams; Body: { seq?: unknown } | null }>(
    '/api/convoys/:type/:id/dead-letters/redrive',
    { ...guarded, bodyLimit: 1024 },
    async (request) => {
      const key = { type: request.params.type, id: request.params.id };
      gateway.describeType(key.type);
      const raw = request.body?.seq;
      return gateway.redriveDeadLetters(key, raw === undefined ? { by } : { by, seq: parseSeq(raw) });
    },
  );

  scope.delete<{ Params: ConvoyParams & { seq: string } }>(
    '/api/convoys/:type/:id/dead-letters/:seq',
    guarded,
    async (request, reply) => {
      const key = { type: request.params.type, id: request.params.id };
      gateway.describeType(key.type);
      await gateway.discardDeadLetter(key, parseSeq(request.params.seq), { by });
      return reply.code(204).send();
    },
  );

  scope.post<{ Params: ConvoyParams & { action: string } }>(
    '/api/convoys/:type/:id/:action',
    { ...guarded, bodyLimit: 1024 },
    async (request) => {
      const { type, id, action } = request.params;
      if (!actions.includes(action as StatusAction)) {
        throw new ConvoyError('route_not_found', `No console action ${JSON.stringify(action.slice(0, 50))}`);
      }
      gateway.describeType(type);
      const key = { type, id };
      switch (action as StatusAction) {
        case 'pause':
          return gateway.pauseConvoy(key, { by });
        case 'resume':
          return gateway.resumeConvoy(key, { by });
        case 'retry':
          return gateway.retryConvoy(key, { by });
      }
    },
  );
}
