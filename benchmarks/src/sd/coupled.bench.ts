/**
 * An SD model on the simulation's clock: what does an attached model with a crossing watch add to
 * every event? The model is a tank of five stocks drained at rates that a process changes at
 * random times (as the factory twin's machines change their wear rate), with a watch on each
 * stock; it is integrated lazily to every event and looked ahead for crossings before every event.
 * Reference: the same process and events with the SD model left out, in the same process. The
 * ratio is the event rate with the model attached over the rate without.
 */
import { Simulation } from '@twinkit/core';
import { attachSdModel, SdModel } from '@twinkit/sd';
import { type BenchCase, compareRates, rateResult } from '../harness';

const STOCKS = 5;

/** Runs `events` rate changes at exponential times, with or without the SD model attached. */
function run(events: number, withSd: boolean): number {
  const sim = new Simulation({ seed: 1 });
  let refills = 0;
  if (withSd) {
    const model = new SdModel({ start: 0, stop: 1e12, dt: 60, method: 'euler' });
    for (let i = 0; i < STOCKS; i++) {
      model.stock(`level ${i}`, { initial: 100, outflows: [`drain ${i}`] });
      model.flow(`drain ${i}`, `rate_${i}`);
      model.constant(`rate ${i}`, 0.001);
    }
    const sd = attachSdModel(sim, model, { prefix: 'tank' });
    for (let i = 0; i < STOCKS; i++) {
      sd.onCrossing(`level ${i}`, 50, 'down', () => {
        refills++;
        sim.state.set(`tank.level_${i}`, 100);
      });
    }
  }
  const times = sim.rng('times');
  const rates = sim.rng('rates');
  sim.process(function* () {
    for (let k = 0; k < events; k++) {
      yield sim.timeout(times.exponential(2));
      const rate = rates.uniform(0.0005, 0.002);
      if (withSd) sim.state.set(`tank.rate_${k % STOCKS}`, rate);
    }
  });
  sim.run();
  return refills + sim.eventsProcessed;
}

export const cases: BenchCase[] = [
  {
    suite: 'sd',
    name: 'coupled-per-event',
    run({ quick }) {
      const events = quick ? 20_000 : 200_000;
      const rates = compareRates(
        {
          attached: { work: events, fn: () => run(events, true) },
          alone: { work: events, fn: () => run(events, false) },
        },
        { rounds: quick ? 2 : 5 },
      );
      return [
        rateResult(
          'sd',
          'coupled-per-event',
          'events/s',
          'events/s',
          rates.attached!,
          { name: 'same events, no SD model attached', value: rates.alone! },
          {
            note: `${STOCKS} stocks (Euler, dt 60) with a crossing watch each, a rate change every 2 time units on average`,
          },
        ),
      ];
    },
  },
];
