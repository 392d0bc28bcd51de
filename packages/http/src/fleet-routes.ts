/**
 * The fleet routes: `GET /fleet` (every type at a glance, from the indexes) and the bulk dead-letter
 * actions of a type (`POST /dead-letters/:type/redrive|discard`). A bulk action is the single action
 * repeated, so each convoy's history records it exactly as if it had been asked alone; one convoy's
 * refusal (already redriven, gone) is reported in its row and does not stop the others.
 */
import { isConvoyError } from '@convoy/core';
import type { ConvoyGateway } from '@convoy/core';
import type {
  BulkDiscardResult,
  BulkFailure,
  BulkRedriveResult,
  FleetItem,
  FleetTypeItem,
} from '@convoy/core/wire';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthHooks } from './auth.ts';
import type { ApiRoutes } from './contract/routes.ts';
import { serve } from './contract/serve.ts';
import type { ConvoyMetrics } from './metrics.ts';

/** A single action's refusal as a row of the bulk answer; anything else is a real failure (5xx). */
function refusal(error: unknown): BulkFailure {
  if (!isConvoyError(error)) throw error;
  return { code: error.code, message: error.message };
}

function by(request: FastifyRequest): { by?: string } {
  return request.convoyPrincipal === undefined ? {} : { by: request.convoyPrincipal };
}

/** Register `GET /fleet` and the bulk dead-letter actions. */
export function registerFleetRoutes(
  instance: FastifyInstance,
  gateway: ConvoyGateway,
  auth: AuthHooks,
  routes: ApiRoutes,
  metrics: ConvoyMetrics | undefined,
): void {
  serve(instance, auth, routes['GET /fleet'], async () => {
    const at = new Date().toISOString();
    const items = await Promise.all(
      gateway.listTypes().map(async (summary): Promise<FleetTypeItem> => {
        const [counts, deadLetterConvoys, oldestWaiting] = await Promise.all([
          gateway.countConvoys(summary.type),
          gateway.countDeadLetterConvoys(summary.type),
          gateway.oldestWaiting(summary.type),
        ]);
        return {
          type: summary.type,
          version: summary.version,
          ...(summary.description === undefined ? {} : { description: summary.description }),
          counts,
          deadLetterConvoys,
          oldestWaitingAgeMs: oldestWaiting === null ? null : Math.max(0, Date.now() - oldestWaiting),
          lastMinute: metrics ? { ...metrics.lastMinute(summary.type), scope: 'node' } : null,
        };
      }),
    );
    return { at, items } satisfies FleetItem;
  });

  serve(instance, auth, routes['POST /dead-letters/:type/redrive'], async ({ params, body }, request) => {
    gateway.describeType(params.type); // an unknown type refuses the whole request (404)
    const items: BulkRedriveResult[] = [];
    // One convoy after the other: each redrive is an ordered write to its own convoy, and a bulk
    // request must not flood the store with 100 concurrent operator scripts.
    for (const id of body.ids) {
      try {
        const result = await gateway.redriveDeadLetters({ type: params.type, id }, by(request));
        items.push({ id, redriven: result.redriven });
      } catch (error) {
        items.push({ id, error: refusal(error) });
      }
    }
    return { items };
  });

  serve(instance, auth, routes['POST /dead-letters/:type/discard'], async ({ params, body }, request) => {
    gateway.describeType(params.type);
    const items: BulkDiscardResult[] = [];
    for (const { id, seq } of body.letters) {
      try {
        await gateway.discardDeadLetter({ type: params.type, id }, seq, by(request));
        items.push({ id, seq, discarded: true });
      } catch (error) {
        items.push({ id, seq, discarded: false, error: refusal(error) });
      }
    }
    return { items };
  });
}
