/**
 * Models for the twin tests, in their own module and exported under the names given to defineModel,
 * so that the twin's scenario worker threads can load them. Test support only: not shipped.
 */
import { defineModel, type Simulation } from '@twinkit/core';

/** Parameters of the wearing machine. */
export interface WearParams {
  /** Health at time 0. */
  initial: number;
  /** Health lost per unit of time. */
  wearRate: number;
  /** Standard deviation of each unit's extra wear (0: deterministic). */
  wearNoise: number;
}

/** What the machine model exposes. */
export interface Wear {
  /** Health now (the state-vector variable `M1.health` reads and writes it). */
  readonly health: () => number;
  /** Ticks processed. */
  readonly ticks: () => number;
  /** When the next tick falls. */
  readonly nextTick: number;
}

function start(
  sim: Simulation,
  p: WearParams,
  saved: { health: number; ticks: number; nextTick: number },
): Wear {
  let health = saved.health;
  let ticks = saved.ticks;
  let nextTick = saved.nextTick;
  const noise = sim.rng('wear');
  sim.state.define('M1.health', { get: () => health, set: (v) => (health = v), unit: '1' });
  sim.process(function* wear() {
    for (;;) {
      yield sim.timeout(nextTick - sim.now);
      health -= p.wearRate + (p.wearNoise > 0 ? noise.normal(0, p.wearNoise) : 0);
      ticks += 1;
      nextTick = sim.now + 1;
    }
  });
  return {
    health: () => health,
    ticks: () => ticks,
    get nextTick() {
      return nextTick;
    },
  };
}

/**
 * One machine whose health falls by `wearRate` (plus Gaussian noise) at every whole unit of time.
 * Snapshot-capable: its whole state is the health, the tick count and the next tick's time.
 */
export const wearingMachine = defineModel(
  (sim, p: WearParams) => start(sim, p, { health: p.initial, ticks: 0, nextTick: 1 }),
  {
    name: 'wearingMachine',
    module: import.meta.url,
    snapshot: {
      saveState: (m) => ({
        health: m.health(),
        ticks: m.ticks(),
        nextTick: m.nextTick,
      }),
      restoreState: (sim, p, saved: { health: number; ticks: number; nextTick: number }) =>
        start(sim, p, saved),
    },
  },
);
