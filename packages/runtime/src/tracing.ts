/**
 * OpenTelemetry spans of the engine, through `@opentelemetry/api` only: without an SDK registered by the
 * application every span is a no-op. The accept span's W3C trace context is stored with the inbox event
 * (`source.trace`) so the turn that processes the event, maybe in another process, links back to it.
 */
import { SpanStatusCode, TraceFlags, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Link, Span, SpanContext, Tracer } from '@opentelemetry/api';
import type { HistoryEntry, InboxEvent } from '@convoy/core';

/** The tracer name of the engine's spans. */
export const runtimeTracerName = '@convoy/runtime';

/** The engine's tracer (resolved per call: the application may register its provider after import). */
export function runtimeTracer(): Tracer {
  return trace.getTracer(runtimeTracerName);
}

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C `traceparent` of a recording span, else undefined (nothing to link to, nothing stored). */
export function traceparentOf(span: Span): string | undefined {
  if (!span.isRecording()) return undefined;
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return undefined;
  const flags = (context.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** Parses a W3C `traceparent` (version 00); undefined for anything else (stored data is not trusted). */
export function parseTraceparent(value: string): SpanContext | undefined {
  const match = traceparentPattern.exec(value);
  if (!match) return undefined;
  const context: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
  };
  return isSpanContextValid(context) ? context : undefined;
}

/** Links from a turn to the accept spans of the events it processes (events accepted untraced add none). */
export function acceptLinks(events: readonly InboxEvent[]): Link[] {
  const links: Link[] = [];
  for (const { seq, source } of events) {
    const stored = 'trace' in source ? source.trace : undefined;
    const context = typeof stored === 'string' ? parseTraceparent(stored) : undefined;
    if (context) links.push({ context, attributes: { 'convoy.seq': seq } });
  }
  return links;
}

/** Outcome counts of a turn's history (`{ applied: 2, deferred: 1 }`). */
export function outcomeCounts(history: readonly HistoryEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of history) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

/** Outcome counts as span attributes (`convoy.outcome.applied`: 2, ...). */
export function outcomeAttributes(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([outcome, n]) => [`convoy.outcome.${outcome}`, n]));
}

/** Marks a span failed with the error's message and ends nothing (the caller ends the span). */
export function recordSpanError(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
