/**
 * How the page writes state values and times.
 */
import type { StateValue } from 'xstate';

/** A state value as dot paths, parallel regions joined with ` ∥ `; `—` for none. */
export function formatValue(value: StateValue | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  const leaves: string[] = [];
  const walk = (v: StateValue | undefined, prefix: string[]): void => {
    if (typeof v === 'string') {
      leaves.push([...prefix, v].join('.'));
      return;
    }
    const keys = Object.keys(v ?? {});
    if (keys.length === 0) {
      leaves.push(prefix.join('.'));
      return;
    }
    for (const key of keys) walk(v?.[key], [...prefix, key]);
  };
  walk(value, []);
  return leaves.join(' ∥ ');
}

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * A local date and time with milliseconds (`2026-12-02 14:03:07.120`), from an ISO string or epoch ms:
 * every time the console shows carries its date (the ISO value is in the element's title).
 */
export function formatTime(at: string | number): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '—';
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${date} ${time}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** An event's payload (everything but `type`), or null when there is none. */
export function payloadOf(event: { readonly type: string }): string | null {
  const payload = Object.fromEntries(Object.entries(event).filter(([key]) => key !== 'type'));
  return Object.keys(payload).length === 0 ? null : JSON.stringify(payload);
}
