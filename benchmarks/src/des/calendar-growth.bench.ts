/**
 * Cost per event as the calendar grows: a machine shop with N machines (each always has one pending
 * event: its next breakdown or the end of its repair) and N/10 repairmen as a Resource, measured at
 * N = 1k, 10k and 100k pending events. The reference is the rate at 1k pending events, so a flat cost
 * per event shows as ratios near 1 (a binary heap adds O(log n) comparisons, and large calendars
 * leave the CPU caches).
 */
import { performance } from 'node:perf_hooks';
import { Simulation } from '@twinkit/core';
import { Resource } from '@twinkit/des';
import { type BenchCase, type BenchResult, rateResult } from '../harness';

const WORK_MEAN = 10;
const REPAIR_MEAN = 0.5;

/**
 * Builds the shop with `machines` machines and runs it past its start-up. Without `withResource` the
 * repair is a plain timeout with an explicit zero-delay event in place of the grant: the same calendar
 * traffic on the kernel alone, to tell the kernel's growth from the Resource's.
 */
function buildShop(machines: number, withResource: boolean): Simulation {
  const sim = new Simulation({ seed: 3 });
  const repairmen = new Resource(sim, { capacity: Math.max(1, Math.floor(machines / 10)) });
  const work = sim.rng('work');
  const repair = sim.rng('repair');
  for (let i = 0; i < machines; i++) {
    sim.process(function* machine() {
      for (;;) {
        yield sim.timeout(work.exponential(WORK_MEAN));
        if (withResource) {
          const req = repairmen.request();
          yield req;
          yield sim.timeout(repair.exponential(REPAIR_MEAN));
          repairmen.release(req);
        } else {
          yield sim.timeout(0);
          yield sim.timeout(repair.exponential(REPAIR_MEAN));
        }
      }
    });
  }
  sim.run({ until: 2 * WORK_MEAN });
  return sim;
}

/** Best events/s over `rounds` runs of about `events` events each on a shop of `machines`. */
function eventsPerSecond(
  machines: number,
  events: number,
  rounds: number,
  withResource = true,
): { rate: number; pending: number } {
  const sim = buildShop(machines, withResource);
  // About 3 events per machine per (WORK_MEAN + REPAIR_MEAN): the breakdown, the grant, the repair end.
  const span = (events * (WORK_MEAN + REPAIR_MEAN)) / (3 * machines);
  let best = 0;
  let pending = 0;
  for (let r = 0; r < rounds + 1; r++) {
    const before = sim.eventsProcessed;
    pending = sim.pending;
    const t0 = performance.now();
    sim.run({ until: sim.now + span });
    const seconds = (performance.now() - t0) / 1000;
    if (r === 0) continue; // warm-up round
    best = Math.max(best, (sim.eventsProcessed - before) / seconds);
  }
  return { rate: best, pending };
}

export const cases: BenchCase[] = [
  {
    suite: 'des',
    name: 'calendar-growth',
    run({ quick }) {
      const events = quick ? 30_000 : 300_000;
      const rounds = quick ? 1 : 3;
      const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
      const results: BenchResult[] = [];
      let base: number | null = null;
      for (const machines of sizes) {
        const { rate, pending } = eventsPerSecond(machines, events, rounds);
        const kernel = eventsPerSecond(machines, events, rounds, false).rate;
        base ??= rate;
        const note = `machine shop, ${machines} machines, ${pending} pending events at the start of the run`;
        results.push(
          rateResult(
            'des',
            `calendar-growth-${machines}`,
            'events/s',
            'events/s',
            rate,
            { name: 'same model at 1k pending events', value: base },
            { note },
          ),
          rateResult(
            'des',
            `calendar-growth-${machines}`,
            'events/s vs kernel alone',
            'events/s',
            rate,
            { name: 'same calendar traffic without Resource', value: kernel },
            { note },
          ),
        );
      }
      return results;
    },
  },
];
