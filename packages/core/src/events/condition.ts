import { formatValue, TwinkitError } from '../errors';
import type { Simulation } from '../simulation/simulation';
import { type AnyEvent, Event } from './event';

/**
 * The value of a condition event: the events of the condition that had succeeded by the time the
 * condition was processed, mapped to their values, in the order they were given.
 */
export type ConditionValue = Map<AnyEvent, unknown>;

/** Decides, from the events and how many have succeeded, whether a condition holds. */
export type ConditionEvaluator = (events: readonly AnyEvent[], succeeded: number) => boolean;

/** @internal Holds when every event has succeeded (the evaluator of `sim.allOf`). */
export const allSucceeded: ConditionEvaluator = (events, succeeded) => succeeded === events.length;
/** @internal Holds when at least one event has succeeded, or there are none (that of `sim.anyOf`). */
export const anySucceeded: ConditionEvaluator = (events, succeeded) => succeeded > 0 || events.length === 0;

/**
 * Holds when every event has succeeded.
 *
 * @deprecated Use `sim.allOf(events)`, which makes the condition with this evaluator. Removed in the
 * next release.
 */
export const allEvents: ConditionEvaluator = allSucceeded;
/**
 * Holds when at least one event has succeeded (or there are no events).
 *
 * @deprecated Use `sim.anyOf(events)`, which makes the condition with this evaluator. Removed in the
 * next release.
 */
export const anyEvent: ConditionEvaluator = anySucceeded;

/**
 * An event that succeeds when `evaluate` holds over a set of events, and fails as soon as one of them
 * fails (with that event's error, which then counts as handled). Create it with `sim.allOf(events)`
 * or `sim.anyOf(events)`.
 *
 * @example
 * ```ts
 * const req = resource.request();
 * const result = yield sim.anyOf([req, sim.timeout(patience)]);
 * if (!result.has(req)) req.cancel(); // reneged
 * ```
 */
export class Condition extends Event<ConditionValue> {
  private readonly events: readonly AnyEvent[];
  private readonly evaluate: ConditionEvaluator;
  private succeededCount = 0;
  private readonly check = (event: AnyEvent): void => this.onEvent(event);

  /** Creates the condition; prefer `sim.allOf()` / `sim.anyOf()`. */
  constructor(sim: Simulation, evaluate: ConditionEvaluator, events: readonly AnyEvent[], api: string) {
    super(sim);
    if (!Array.isArray(events)) {
      throw new TwinkitError(`${api}: events must be an array of events, got ${formatValue(events)}.`);
    }
    this.events = events.slice();
    this.evaluate = evaluate;
    for (const event of this.events) {
      if (!(event instanceof Event)) {
        throw new TwinkitError(
          `${api}: every item must be an Event, got ${formatValue(event)}. Pass events such as sim.timeout(1) or a process.`,
        );
      }
      if (event.sim !== sim) {
        throw new TwinkitError(
          `${api}: ${event.describe()} belongs to another simulation; a condition can only combine events of its own simulation.`,
        );
      }
    }
    if (this.events.length === 0) {
      this.succeed(new Map());
      return;
    }
    for (const event of this.events) {
      if (this.triggered) break;
      if (event.processed) this.onEvent(event);
      else event.addCallback(this.check);
    }
  }

  override describe(): string {
    return `Condition(${this.events.length} events)`;
  }

  /** @internal Builds the value (events processed by now) before running callbacks. */
  override _fire(): void {
    if (this._ok) {
      const value: ConditionValue = new Map();
      for (const event of this.events) {
        if (event.processed && event._ok) value.set(event, event._value);
      }
      this._value = value;
    }
    super._fire();
  }

  private onEvent(event: AnyEvent): void {
    if (this.triggered) return;
    if (!event._ok) {
      event._defused = true;
      this.detach();
      this.fail(event._value as Error);
      return;
    }
    this.succeededCount++;
    if (this.evaluate(this.events, this.succeededCount)) {
      this.detach();
      this.succeed(new Map());
    }
  }

  private detach(): void {
    for (const event of this.events) {
      if (!event.processed) event.removeCallback(this.check);
    }
  }
}
