import { randomInt } from 'node:crypto';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';

/**
 * How a source or sink waits between reconnect (or retry) attempts: `initialMs * factor^attempt`,
 * at most `maxMs`, shortened by a random fraction of up to `jitter` so that many clients of one
 * restarted broker, device or database do not all come back in the same instant. The defaults of
 * `initialMs` and `maxMs` are each adapter's own (MQTT 500 ms to 30 s, Modbus 200 ms to 10 s,
 * PostgreSQL retries 100 ms to 5 s); `factor` 2 and `jitter` 0.5 everywhere.
 */
export interface BackoffOptions {
  /** The first wait, in ms. */
  readonly initialMs?: number;
  /** The longest wait, in ms. */
  readonly maxMs?: number;
  /** How much each wait grows (default 2). */
  readonly factor?: number;
  /** The largest fraction taken off a wait at random, in [0, 1] (default 0.5: waits fall in [d/2, d]). */
  readonly jitter?: number;
}

/** Backoff options with every default filled in (what the adapters work with). */
export type Backoff = Required<BackoffOptions>;

const KEYS = ['initialMs', 'maxMs', 'factor', 'jitter'] as const;

/**
 * Checks backoff options (named `option` in messages: `'backoff'`, `'reconnect'`, `'retry'`) and
 * fills in the defaults. @internal
 */
export function resolveBackoff(
  api: string,
  options: BackoffOptions | undefined,
  option: string,
  defaults: { readonly initialMs: number; readonly maxMs: number },
  extraKeys: readonly string[] = [],
): Backoff {
  rejectUnknownKeys(
    `${api}: ${option}`,
    options,
    [...KEYS, ...extraKeys],
    `{ initialMs: ${defaults.initialMs}, maxMs: ${defaults.maxMs} }`,
  );
  const {
    initialMs = defaults.initialMs,
    maxMs = defaults.maxMs,
    factor = 2,
    jitter = 0.5,
  } = (options ?? {}) as BackoffOptions;
  const backoff = { initialMs, maxMs, factor, jitter };
  const positive = (key: 'initialMs' | 'maxMs') => {
    const v = backoff[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw invalidArgument(api, `${option}.${key} must be a finite number > 0 (ms)`, v);
  };
  positive('initialMs');
  positive('maxMs');
  if (backoff.maxMs < backoff.initialMs)
    throw invalidArgument(
      api,
      `${option}.maxMs must be >= ${option}.initialMs (${backoff.initialMs})`,
      backoff.maxMs,
    );
  if (typeof backoff.factor !== 'number' || !Number.isFinite(backoff.factor) || backoff.factor < 1)
    throw invalidArgument(api, `${option}.factor must be a finite number >= 1`, backoff.factor);
  if (typeof backoff.jitter !== 'number' || !(backoff.jitter >= 0 && backoff.jitter <= 1))
    throw invalidArgument(api, `${option}.jitter must be a number in [0, 1]`, backoff.jitter);
  return backoff;
}

/**
 * The wait before reconnect attempt `attempt` (0 for the first), in whole ms, at least 1 (MQTT.js
 * reads a reconnect period of 0 as "never"). The jitter is drawn from node:crypto, not a
 * simulation stream: it only spreads clients apart and needs no seed. @internal
 */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  const nominal = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** attempt);
  return Math.max(1, Math.round(nominal * (1 - backoff.jitter * (randomInt(0, 1_000_000) / 1_000_000))));
}
