/** The fleet's "last minute": a count leaves the window 60 s after it was made, per key. */
import { describe, expect, it } from 'vitest';
import { MinuteWindow } from '../src/minute-window.ts';

describe('MinuteWindow', () => {
  it('sums the last 60 seconds per key and forgets older counts, even when a slot is reused', () => {
    let now = 1_000_000;
    const window = new MinuteWindow(() => now);
    window.add('a');
    window.add('a', 2);
    window.add('b');
    now += 59_000;
    window.add('a');
    expect(window.total('a')).toBe(4);
    expect(window.total('b')).toBe(1);
    now += 1_000; // the first second is now 60 s old
    expect(window.total('a')).toBe(1);
    expect(window.total('b')).toBe(0);
    window.add('a'); // reuses the first second's slot: the old count must not come back
    expect(window.total('a')).toBe(2);
    now += 3_600_000;
    expect(window.total('a')).toBe(0);
    expect(window.total('never')).toBe(0);
  });
});
