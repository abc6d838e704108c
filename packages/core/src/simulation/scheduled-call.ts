import type { Simulation } from './simulation';

/** A callback scheduled with {@link Simulation.schedule}; cancel it before it runs with `cancel()`. */
export class ScheduledCall {
  /** @internal */ _time = 0;
  /** @internal */ _cancelled = false;
  private done = false;
  private readonly sim: Simulation;
  private readonly fn: () => void;

  /** @internal */
  constructor(sim: Simulation, fn: () => void) {
    this.sim = sim;
    this.fn = fn;
  }

  /** The time the callback is (or was) due. */
  get time(): number {
    return this._time;
  }

  /** Whether it was cancelled. */
  get cancelled(): boolean {
    return this._cancelled;
  }

  /** Whether it has run. */
  get fired(): boolean {
    return this.done;
  }

  /** Cancels the callback; returns false if it already ran or was cancelled. */
  cancel(): boolean {
    if (this.done || this._cancelled) return false;
    this.sim._cancel(this);
    return true;
  }

  /** @internal */
  _fire(): void {
    this.done = true;
    this.fn();
  }
}
