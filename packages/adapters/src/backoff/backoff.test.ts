import { describe, expect, it } from 'vitest';
import { backoffDelay, resolveBackoff } from './backoff';

describe('backoff', () => {
  it('fills in the adapter defaults and the shared factor and jitter', () => {
    expect(resolveBackoff('api', undefined, 'reconnect', { initialMs: 500, maxMs: 30_000 })).toEqual({
      initialMs: 500,
      maxMs: 30_000,
      factor: 2,
      jitter: 0.5,
    });
  });

  it('waits initialMs * factor^attempt, capped at maxMs, less at most jitter of it, in whole ms >= 1', () => {
    const b = resolveBackoff('api', { initialMs: 100, maxMs: 1000, jitter: 0.5 }, 'backoff', {
      initialMs: 1,
      maxMs: 2,
    });
    for (const [attempt, nominal] of [
      [0, 100],
      [1, 200],
      [3, 800],
      [4, 1000],
      [20, 1000],
    ] as const) {
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt, b);
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(nominal / 2);
        expect(d).toBeLessThanOrEqual(nominal);
      }
    }
    const none = resolveBackoff('api', { initialMs: 0.2, maxMs: 0.2, jitter: 1 }, 'backoff', {
      initialMs: 1,
      maxMs: 2,
    });
    expect(backoffDelay(0, none)).toBe(1);
  });

  it('refuses bad options naming the option and the key', () => {
    const d = { initialMs: 100, maxMs: 5000 };
    expect(() => resolveBackoff('postgresSink(options)', { initalMs: 5 } as never, 'retry', d)).toThrow(
      /postgresSink\(options\): retry: unknown option 'initalMs'.*Did you mean 'initialMs'\?/,
    );
    expect(() => resolveBackoff('api', { initialMs: -1 }, 'reconnect', d)).toThrow(
      /reconnect\.initialMs must be a finite number > 0/,
    );
    expect(() => resolveBackoff('api', { initialMs: 200, maxMs: 100 }, 'retry', d)).toThrow(
      /retry\.maxMs must be >= retry\.initialMs \(200\)/,
    );
    expect(() => resolveBackoff('api', { jitter: 2 }, 'backoff', d)).toThrow(
      /backoff\.jitter must be a number in \[0, 1\]/,
    );
    expect(() => resolveBackoff('api', { factor: 0.5 }, 'backoff', d)).toThrow(
      /backoff\.factor must be a finite number >= 1/,
    );
  });
});
