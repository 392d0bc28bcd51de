/**
 * Trace context of an HTTP caller, through `@opentelemetry/api` only: the engine's `convoy.accept` span
 * starts in the context this returns, so it joins the caller's trace.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The context to accept an event in: the active one when a span is already active (HTTP instrumentation
 * made the request's server span from the caller's headers), else the caller's `traceparent` read by the
 * application's registered propagator (none registered: the active context, unchanged).
 */
export function callerContext(headers: IncomingHttpHeaders): Context {
  const active = context.active();
  return trace.getSpan(active) ? active : propagation.extract(active, headers);
}
