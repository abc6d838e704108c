import { invalidArgument, TwinkitError } from '../errors';

/**
 * A continuous model (such as a system-dynamics model) integrated lazily on the shared clock.
 * Before every event at time t, the simulation asks every attached model for its next state event
 * before t, brings all of them to the earliest such time (or to t), and fires the state events there.
 */
export interface ContinuousModel {
  /** Earliest state-event time in (current time, horizon], or Infinity. Must not change observable state. */
  nextStateEvent(horizon: number): number;
  /** Integrates so the continuous state is at exactly t (t >= its current time). */
  advanceTo(t: number): void;
  /** Fires the state events located at t (called after `advanceTo(t)` when `nextStateEvent` returned t). */
  fireStateEvents(t: number): void;
}

/**
 * The continuous models coupled to one simulation's clock, and the rule that couples them: the clock
 * loop asks {@link ContinuousCoupling.sync} before each event, and the coupling says whether a state
 * event comes first. It lives apart from the clock so that the event loop reads as an event loop and
 * the lazy-integration protocol of {@link ContinuousModel} has one place.
 *
 * @internal
 */
export class ContinuousCoupling {
  /** The attached models, in attachment order: the order they are advanced and fired in. */
  private readonly models: ContinuousModel[] = [];
  /** Scratch: each model's next state-event time in the current sync (reused to avoid allocation). */
  private readonly times: number[] = [];
  /** Sets the clock to a state event's time and counts it as one processed event. */
  private readonly onStateEvent: (t: number) => void;

  /** `onStateEvent(t)` is called once per state-event time, before the models fire their events. */
  constructor(onStateEvent: (t: number) => void) {
    this.onStateEvent = onStateEvent;
  }

  /** Number of attached models; the clock skips coupling altogether while it is 0. */
  get size(): number {
    return this.models.length;
  }

  /** Attaches a model (the body of `Simulation.attachContinuous`); returns a function that detaches it. */
  attach(model: ContinuousModel): () => void {
    if (
      model === null ||
      typeof model !== 'object' ||
      typeof model.advanceTo !== 'function' ||
      typeof model.nextStateEvent !== 'function' ||
      typeof model.fireStateEvents !== 'function'
    ) {
      throw invalidArgument(
        'Simulation.attachContinuous(model)',
        'model must implement nextStateEvent(horizon), advanceTo(t) and fireStateEvents(t)',
        model,
      );
    }
    if (this.models.includes(model)) {
      throw new TwinkitError('Simulation.attachContinuous(model): this model is already attached.', {
        code: 'DUPLICATE',
      });
    }
    this.models.push(model);
    return () => {
      const i = this.models.indexOf(model);
      if (i >= 0) this.models.splice(i, 1);
    };
  }

  /**
   * Brings every continuous model to the earliest of `target` and their next state events. If a state
   * event comes first (or at `target`), reports it through `onStateEvent` (the clock moves there and
   * counts one processed event), fires it and returns true.
   */
  sync(target: number): boolean {
    const models = this.models;
    const times = this.times;
    let te = target;
    for (let i = 0; i < models.length; i++) {
      const x = models[i]!.nextStateEvent(te);
      times[i] = x;
      if (x < te) te = x;
    }
    for (let i = 0; i < models.length; i++) models[i]!.advanceTo(te);
    let fired = false;
    for (let i = 0; i < models.length; i++) {
      if (times[i] !== te) continue;
      if (!fired) {
        fired = true;
        this.onStateEvent(te);
      }
      models[i]!.fireStateEvents(te);
    }
    return fired;
  }
}
