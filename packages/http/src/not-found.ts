/**
 * The one `convoy_not_found` refusal of the routes.
 */
import { ConvoyError } from '@convoy/core';
import type { ConvoyKey } from '@convoy/core';

/** 404 `convoy_not_found` for a convoy that never received an event. */
export function notFound(key: ConvoyKey): ConvoyError {
  return new ConvoyError('convoy_not_found', `Convoy ${key.type}/${key.id} has never received an event`, {
    ...key,
  });
}
