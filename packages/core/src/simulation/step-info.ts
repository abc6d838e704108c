import type { CalendarEntry } from '../calendar/calendar';
import { invalidArgument } from '../errors';
import { Event, Timeout } from '../events/event';
import { DelayEntry, Process, ProcessEnd } from '../events/process';

/** What a listener registered with {@link Simulation.onStep} learns about each processed event. */
export interface StepInfo {
  /** Simulated time of the event. */
  time: number;
  /**
   * What it is: a timeout (or the end of a plain delay, `yield 5`), a process starting or ending, a
   * callback from `schedule`, a state event of a continuous model, or any other event (triggered
   * events, conditions, resource requests).
   */
  kind: 'timeout' | 'process-start' | 'process-end' | 'call' | 'state-event' | 'event';
  /**
   * The event's own description (`Timeout(5)`, `Process(customer-3)`, `Request(counter, ...)`); for a
   * plain delay `Delay(5)`, or `Delay` when it was yielded before a step listener was registered.
   */
  description: string;
  /** The process the event starts, ends or resumes (its first waiter), or null. */
  process: string | null;
}

/**
 * Describes a calendar entry about to be processed (null: a state event of a continuous model) for
 * {@link Simulation.onStep} listeners. Only called while a listener is registered, so tracing costs
 * nothing otherwise.
 *
 * @internal
 */
export function describeStep(entry: CalendarEntry | null, time: number): StepInfo {
  if (entry === null) {
    return { time, kind: 'state-event', description: 'state event', process: null };
  }
  if (entry instanceof Process) {
    if (entry._delayQueued) {
      return {
        time,
        kind: 'timeout',
        // The delay is recorded only while tracing (see Process._delay).
        description: entry._delayTraced ? `Delay(${entry._delay})` : 'Delay',
        process: entry._delayWaiting ? entry.name : null,
      };
    }
    return {
      time,
      kind: entry._starting ? 'process-start' : 'process-end',
      description: entry.describe(),
      process: entry.name,
    };
  }
  if (entry instanceof DelayEntry) {
    return {
      time,
      kind: 'timeout',
      description: `Delay(${entry._delay})`,
      process: entry._waiting ? entry._process.name : null,
    };
  }
  if (entry instanceof ProcessEnd) {
    return {
      time,
      kind: 'process-end',
      description: entry._process.describe(),
      process: entry._process.name,
    };
  }
  if (entry instanceof Event) {
    const waiter = entry._cb0;
    return {
      time,
      kind: entry instanceof Timeout ? 'timeout' : 'event',
      description: entry.describe(),
      process: waiter instanceof Process ? waiter.name : null,
    };
  }
  return { time, kind: 'call', description: 'scheduled call', process: null };
}

/**
 * The listeners registered with {@link Simulation.onStep}. `listeners` stays null while there are
 * none, so the clock pays one null check per event for tracing it does not use.
 *
 * @internal
 */
export class StepListeners {
  /** The registered listeners, or null when there are none. */
  listeners: ((info: StepInfo) => void)[] | null = null;

  /** Registers a listener (the checks of `Simulation.onStep`); returns a function that removes it. */
  add(listener: (info: StepInfo) => void): () => void {
    if (typeof listener !== 'function') {
      throw invalidArgument(
        'Simulation.onStep(listener)',
        'listener must be a function (info) => void',
        listener,
      );
    }
    this.listeners = [...(this.listeners ?? []), listener];
    return () => {
      const rest = (this.listeners ?? []).filter((l) => l !== listener);
      this.listeners = rest.length > 0 ? rest : null;
    };
  }

  /** Tells every listener about the entry about to be processed (null: a state event). */
  notify(entry: CalendarEntry | null, time: number): void {
    const info = describeStep(entry, time);
    for (const listener of this.listeners ?? []) listener(info);
  }
}
