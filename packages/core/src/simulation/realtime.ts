import { invalidArgument, rejectUnknownKeys } from '../errors';
import type { Simulation } from './simulation';

/** Options for {@link Simulation.runRealtime}. */
export interface RealtimeOptions {
  /** Simulated time units per wall-clock second (default 1). */
  factor?: number;
  /** Stop when the clock reaches this time. */
  until?: number;
  /** Stop when this signal aborts. One of `until` or `signal` is required. */
  signal?: AbortSignal;
  /**
   * Longest wait, in wall milliseconds, between checks of the signal and the calendar (default 10).
   * External input that schedules events is picked up within this slice.
   */
  sliceMs?: number;
}

/** How {@link Simulation.runRealtime} ended. */
export interface RealtimeResult {
  /** `'until'` when the clock reached `until`, `'aborted'` when the signal aborted. */
  reason: 'until' | 'aborted';
  /** The simulated time at the end. */
  now: number;
  /** The largest lag observed, in simulated time units, of the clock behind wall time x factor. */
  maxLag: number;
}

const REALTIME_OPTION_KEYS: readonly string[] = ['factor', 'until', 'signal', 'sliceMs'];

/**
 * Paces `sim` to the wall clock; the body of {@link Simulation.runRealtime}. It drives the clock only
 * through its public surface (`advanceTo`, `peek`, `now`), so pacing adds nothing to what the clock
 * loop has to know: every advance is an ordinary `advanceTo`, journaled as one.
 *
 * @internal
 */
export async function runRealtime(sim: Simulation, options: RealtimeOptions): Promise<RealtimeResult> {
  const api = 'Simulation.runRealtime(options)';
  rejectUnknownKeys(api, options, REALTIME_OPTION_KEYS, '{ until: 60, factor: 10 }');
  const factor = options.factor ?? 1;
  if (!(factor > 0) || !Number.isFinite(factor)) {
    throw invalidArgument(
      api,
      'factor (simulated time units per wall second) must be a finite number > 0',
      factor,
    );
  }
  const until = options.until;
  if (until !== undefined && (!Number.isFinite(until) || until < sim.now)) {
    throw invalidArgument(api, `until must be a finite time >= the current time ${sim.now}`, until);
  }
  if (until === undefined && options.signal === undefined) {
    throw invalidArgument(
      api,
      'a stop condition is required',
      options,
      'Pass { until } or { signal } (an AbortSignal), or both.',
    );
  }
  const sliceMs = options.sliceMs ?? 10;
  if (!(sliceMs > 0) || !Number.isFinite(sliceMs)) {
    throw invalidArgument(api, 'sliceMs must be a finite number > 0', sliceMs);
  }
  const { performance } = globalThis;
  const wallStart = performance.now();
  const simStart = sim.now;
  let maxLag = 0;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) setImmediate(resolve);
      else setTimeout(resolve, ms);
    });
  for (;;) {
    if (options.signal?.aborted) return { reason: 'aborted', now: sim.now, maxLag };
    const wallTarget = simStart + ((performance.now() - wallStart) / 1000) * factor;
    const target = until === undefined ? wallTarget : Math.min(wallTarget, until);
    if (target > sim.now) sim.advanceTo(target, api);
    const lag = simStart + ((performance.now() - wallStart) / 1000) * factor - sim.now;
    if (lag > maxLag && (until === undefined || sim.now < until)) maxLag = lag;
    if (until !== undefined && sim.now >= until) return { reason: 'until', now: sim.now, maxLag };
    const next = Math.min(sim.peek(), until ?? Number.POSITIVE_INFINITY);
    const wallNext = wallStart + ((next - simStart) / factor) * 1000;
    await sleep(Math.min(Math.max(wallNext - performance.now(), 0), sliceMs));
  }
}
