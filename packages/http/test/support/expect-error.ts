/**
 * Assertions on the API's error body.
 */
import { errorStatusByCode } from '@convoy/core';
import type { ConvoyErrorCode } from '@convoy/core';
import { expect } from 'vitest';

/** The parts of an inject or fetch response the assertion reads. */
export interface ResponseLike {
  readonly statusCode: number;
  readonly headers: Record<string, unknown>;
  json(): unknown;
}

/**
 * The response is exactly `{ statusCode, code, message }` with the status the one table gives the code.
 * Returns the message for further checks.
 */
export function expectError(response: ResponseLike, code: ConvoyErrorCode): string {
  const body = response.json() as Record<string, unknown>;
  expect(body).toEqual({ statusCode: errorStatusByCode[code], code, message: expect.any(String) });
  expect(response.statusCode).toBe(errorStatusByCode[code]);
  expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
  return body['message'] as string;
}
