/**
 * Polls until a condition holds, for tests of asynchronous peers: resolves as soon as `condition()`
 * is true, rejects after `timeoutMs` with `what` in the message (so a failing test says what it
 * waited for). Test support only.
 *
 * @example
 * ```ts
 * await waitFor(() => source.stats().received >= 100, 5_000, '100 messages received');
 * ```
 */
export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  what: string | (() => string),
  pollMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`,
      );
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
