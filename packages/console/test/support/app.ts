/**
 * A real app for the console tests: the Convoy HTTP API and the console over one real engine.
 */
import { errorStatusByCode } from '@convoy/core';
import type { ConvoyErrorCode } from '@convoy/core';
import { buildConvoyApp } from '@convoy/http';
import type { ConvoyEngine } from '@convoy/runtime';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { consolePlugin } from '../../src/plugin.ts';
import type { ConsolePluginOptions } from '../../src/plugin.ts';
import { memoryEngine } from './shop.ts';

/** An app serving the API at `/` and the console at `/console` (or `options.prefix`). */
export interface ConsoleApp {
  readonly app: FastifyInstance;
  readonly engine: ConvoyEngine;
  close(): Promise<void>;
}

/** Build (not listen) the app over a fresh started engine. */
export async function consoleApp(options: ConsolePluginOptions = {}): Promise<ConsoleApp> {
  const engine = await memoryEngine();
  const app = buildConvoyApp({ gateway: engine });
  await app.register(consolePlugin, options);
  await app.ready();
  return {
    app,
    engine,
    close: async () => {
      await app.close();
      await engine.close();
    },
  };
}

/** The parts of an inject or fetch response the assertion reads. */
export interface ResponseLike {
  readonly statusCode: number;
  readonly headers: Record<string, unknown>;
  json(): unknown;
}

/** The response is exactly `{ statusCode, code, message }`, with the status the one table gives the code. */
export function expectError(response: ResponseLike, code: ConvoyErrorCode): string {
  const body = response.json() as Record<string, unknown>;
  expect(body).toEqual({ statusCode: errorStatusByCode[code], code, message: expect.any(String) });
  expect(response.statusCode).toBe(errorStatusByCode[code]);
  expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
  return body['message'] as string;
}
