import type { Lineage } from '../model/lineage';
import type { RandomStream } from '../random';
import type { InputHandler } from './input';

/**
 * What a simulation lets its lineage (model/lineage.ts, the owner of fork and snapshot) do, and
 * nothing else may: one object, handed out once by `Simulation._seam()`. Everything here bypasses the
 * journal on purpose (the lineage is the journal), which is why it is not public API.
 *
 * @internal
 */
export interface ClockSeam<TModel = unknown> {
  /** From now on, reports outside input (state writes, `input()`, clock moves) and outside scheduling to `lineage`. */
  attach(lineage: Lineage<TModel>): void;
  /**
   * Runs `fn` as the model acting, so that what it does is not outside input (building, restoring,
   * replaying); with `asRun`, also as if processing events, so that run, fork and snapshot refuse.
   */
  act<T>(fn: () => T, asRun?: boolean): T;
  /** Whether an event is being processed (fork and snapshot refuse then). */
  isRunning(): boolean;
  /** Processes one event or state event, unjournaled; false when nothing is left. */
  step(): boolean;
  /** Processes everything at or before `t`, then sets the clock to `t`, unjournaled. */
  advance(t: number): void;
  /** Sets the clock without processing anything (replay of a clock move no entry recorded). */
  setClock(t: number): void;
  /** Sets the count of processed events (a restored simulation continues the snapshot's). */
  setEventCount(n: number): void;
  /** The random streams created so far, by name (live: the lineage saves, restores and reseeds them). */
  readonly streams: Map<string, RandomStream>;
  /** The fork path that keys the streams. */
  forkPath(): string;
  /** Sets the (replication, fork path) that key streams created from now on. */
  setStreamKey(replication: number, forkPath: string): void;
  /** Number of attached continuous models. */
  continuousModels(): number;
  /** The handler registered for a named input, if any. */
  inputHandler(name: string): InputHandler<unknown> | undefined;
}
