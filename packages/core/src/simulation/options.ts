import { invalidArgument, rejectUnknownKeys } from '../errors';
import type { AnyEvent } from '../events/event';
import { DEFAULT_GENERATOR, type GeneratorKind } from '../random';

/** Options for `new Simulation(...)` and `model.create(...)`. */
export interface SimulationOptions {
  /** Master seed of every random stream (default 0). */
  seed?: number | string;
  /** Time the clock starts at (default 0). */
  startTime?: number;
  /** Replication index: replication i draws from substream i of every stream (default 0). */
  replication?: number;
  /** Generator behind the random streams (default {@link DEFAULT_GENERATOR}). */
  generator?: GeneratorKind;
}

/** Options for {@link Simulation.schedule}. */
export interface ScheduleOptions {
  /** Calendar priority at equal times: lower runs first (default 0). Must be finite. */
  priority?: number;
}

/** Options for {@link Simulation.run}. */
export interface RunOptions {
  /**
   * Stop condition: a time (every event at or before it is processed, then the clock is set to it),
   * or an event (run until it has been processed). Without `until`, run until the calendar is empty.
   */
  until?: number | AnyEvent;
}

/** The keys of {@link SimulationOptions}, checked by `new Simulation` and `model.create`. @internal */
export const SIMULATION_OPTION_KEYS: readonly string[] = ['seed', 'startTime', 'replication', 'generator'];
/** The keys of {@link RunOptions}. @internal */
export const RUN_OPTION_KEYS: readonly string[] = ['until'];
/** The keys of {@link ForkOptions}. @internal */
export const FORK_OPTION_KEYS: readonly string[] = ['replication', 'mechanism'];

/**
 * Checks the options of `new Simulation` (and so of `model.create`, which passes them on) and fills
 * in the defaults; errors name `new Simulation(options)`.
 *
 * @internal
 */
export function resolveSimulationOptions(options: SimulationOptions): Required<SimulationOptions> {
  const api = 'new Simulation(options)';
  rejectUnknownKeys(api, options, SIMULATION_OPTION_KEYS, '{ seed: 42 }');
  const seed = options.seed ?? 0;
  if (!((typeof seed === 'number' && Number.isFinite(seed)) || typeof seed === 'string')) {
    throw invalidArgument(api, 'seed must be a finite number or a string', seed);
  }
  const startTime = options.startTime ?? 0;
  if (typeof startTime !== 'number' || !Number.isFinite(startTime)) {
    throw invalidArgument(api, 'startTime must be a finite number', startTime);
  }
  const replication = options.replication ?? 0;
  if (!Number.isInteger(replication) || replication < 0) {
    throw invalidArgument(api, 'replication must be an integer >= 0', replication);
  }
  return { seed, startTime, replication, generator: options.generator ?? DEFAULT_GENERATOR };
}

/** Throws unless `delay` is a finite number >= 0 (the delay of `timeout` and `schedule`). @internal */
export function checkDelay(api: string, delay: number, remedy?: string): void {
  if (!(delay >= 0) || delay === Number.POSITIVE_INFINITY) {
    throw invalidArgument(api, 'delay must be a finite number >= 0', delay, remedy);
  }
}
