/**
 * Cost per event as the calendar grows: a machine shop with N machines (each always has one pending
 * event: its next breakdown or the end of its repair) and N/10 repairmen as a Resource, measured at
 * N = 1k, 10k and 100k pending events. The reference is the rate at 1k pending events, so a flat cost
 * per event shows as ratios near 1 (a binary heap adds O(log n) comparisons, and large calendars
 * leave the CPU caches).
 */
import { performance } from 'node:perf_hooks';
import { type Event, RandomStream, Simulation } from '@twinkit/core';
import { Resource } from '@twinkit/des';
import { ReferenceHeap } from '../core/reference-heap';
import { type BenchCase, type BenchResult, measuredResult, measureRates, rateResult } from '../harness';

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

/**
 * `count` generator processes looping on `yield sim.timeout(exponential(1))` (with `plain`, on the
 * plain delay `yield exponential(1)`), past their start: always `count` pending waits. `advance(k)`
 * processes exactly `k` more of them (setup is not timed).
 */
function pendingKernel(count: number, plain = false): (k: number) => void {
  const sim = new Simulation({ seed: 5 });
  const rng = sim.rng('delays');
  let fired = 0;
  let target = -1;
  let done: Event<unknown> | null = null;
  for (let i = 0; i < count; i++) {
    sim.process(
      plain
        ? function* () {
            for (;;) {
              yield rng.exponential(1);
              if (++fired === target) done!.succeed();
            }
          }
        : function* () {
            for (;;) {
              yield sim.timeout(rng.exponential(1));
              if (++fired === target) done!.succeed();
            }
          },
    );
  }
  sim.run({ until: 2 });
  return (k) => {
    target = fired + k;
    done = sim.event();
    sim.run({ until: done });
  };
}

/** The same with hand-written generators that yield delays, on a typed-array heap. */
function pendingHandWritten(count: number): (k: number) => void {
  const rng = new RandomStream({ seed: 5, name: 'delays', replication: 0, forkPath: '' });
  let fired = 0;
  function* body(): Generator<number, void, void> {
    for (;;) {
      yield rng.exponential(1);
      fired++;
    }
  }
  const gens: Generator<number, void, void>[] = [];
  const heap = new ReferenceHeap();
  let now = 0;
  for (let i = 0; i < count; i++) {
    const g = body();
    gens.push(g);
    heap.push(0, i);
  }
  const advanceTo = (until: number) => {
    while (heap.topTime() <= until) {
      now = heap.topTime();
      const i = heap.pop();
      heap.push(now + gens[i]!.next().value!, i);
    }
  };
  advanceTo(2);
  return (k) => {
    const target = fired + k;
    while (fired < target) {
      now = heap.topTime();
      const i = heap.pop();
      heap.push(now + gens[i]!.next().value!, i);
    }
  };
}

export const cases: BenchCase[] = [
  {
    suite: 'des',
    name: 'pending-growth',
    run({ quick }) {
      // Per-event cost of generator processes on timeouts with 1k, 10k and 100k of them pending, twinkit
      // against the hand-written loop in the same process, rounds alternating; the growth of each one's
      // cost per event from 1k pending is printed as a ratio (1.00x = flat).
      const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
      const k = quick ? 20_000 : 100_000;
      const results: BenchResult[] = [];
      let base: { kernel: number; hand: number; kernelWall: number; handWall: number } | null = null;
      for (const count of sizes) {
        const kernel = pendingKernel(count);
        const hand = pendingHandWritten(count);
        const rates = measureRates(
          { kernel: { work: k, fn: () => kernel(k) }, hand: { work: k, fn: () => hand(k) } },
          quick ? { rounds: 1, warmup: 1, minMs: 20 } : { rounds: 7, warmup: 2, minMs: 250 },
        );
        const r = rates.cpu;
        base ??= {
          kernel: r.kernel!,
          hand: r.hand!,
          kernelWall: rates.wall.kernel!,
          handWall: rates.wall.hand!,
        };
        const ns = (rate: number) => (1e9 / rate).toFixed(0);
        const growth = base.kernel / r.kernel!;
        const handGrowth = base.hand / r.hand!;
        results.push(
          measuredResult(
            'des',
            `pending-growth-${count}`,
            'timeouts/s',
            'events/s',
            rates,
            'kernel',
            { key: 'hand', label: 'hand-written generators on a typed-array heap' },
            {
              note: `${count} processes pending on timeouts; ns/event (cpu) twinkit ${ns(r.kernel!)}, hand-written ${ns(r.hand!)}`,
            },
          ),
          {
            suite: 'des',
            case: `pending-growth-${count}`,
            metric: 'cost growth per event (twinkit)',
            value: growth,
            unit: 'x',
            reference: { name: `cost at ${sizes[0]} pending`, value: 1 },
            ratio: growth,
            wall: {
              value: base.kernelWall / rates.wall.kernel!,
              reference: 1,
              ratio: base.kernelWall / rates.wall.kernel!,
            },
            note: `hand-written: ${handGrowth.toFixed(2)}x cpu, ${(base.handWall / rates.wall.hand!).toFixed(2)}x wall (1.00x = flat; lower is better; goal <= 3x at 100k)`,
          },
        );
      }
      return results;
    },
  },
  {
    suite: 'des',
    name: 'pending-growth-delay',
    run({ quick }) {
      // The same work as pending-growth with the processes yielding plain delays (`yield d`, no event
      // object per wait), measured in alternation with the timeout version (the "before") and the
      // hand-written loop in the same process; growth of the cost per event from 1k pending as ratios.
      const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
      const k = quick ? 20_000 : 100_000;
      const results: BenchResult[] = [];
      type Rates = { delay: number; timeout: number; hand: number };
      let base: { cpu: Rates; wall: Rates } | null = null;
      for (const count of sizes) {
        const delay = pendingKernel(count, true);
        const timeout = pendingKernel(count);
        const hand = pendingHandWritten(count);
        const rates = measureRates(
          {
            delay: { work: k, fn: () => delay(k) },
            timeout: { work: k, fn: () => timeout(k) },
            hand: { work: k, fn: () => hand(k) },
          },
          quick ? { rounds: 1, warmup: 1, minMs: 20 } : { rounds: 7, warmup: 2, minMs: 250 },
        );
        const pick = (r: Record<string, number>): Rates => ({
          delay: r.delay!,
          timeout: r.timeout!,
          hand: r.hand!,
        });
        base ??= { cpu: pick(rates.cpu), wall: pick(rates.wall) };
        const r = rates.cpu;
        const ns = (rate: number) => (1e9 / rate).toFixed(0);
        const growth = (clock: 'cpu' | 'wall', who: keyof Rates) => base![clock][who] / rates[clock][who]!;
        results.push(
          measuredResult(
            'des',
            `pending-growth-delay-${count}`,
            'plain delays/s',
            'events/s',
            rates,
            'delay',
            { key: 'hand', label: 'hand-written generators on a typed-array heap' },
            {
              note: `${count} processes pending on plain delays; ns/event (cpu) twinkit ${ns(r.delay!)} (on sim.timeout ${ns(r.timeout!)}, ${(r.timeout! / r.hand!).toFixed(2)}x of hand-written), hand-written ${ns(r.hand!)}`,
            },
          ),
          measuredResult(
            'des',
            `pending-growth-delay-${count}`,
            'plain delays/s vs sim.timeout',
            'events/s',
            rates,
            'delay',
            { key: 'timeout', label: 'the same processes yielding sim.timeout(d)' },
          ),
          {
            suite: 'des',
            case: `pending-growth-delay-${count}`,
            metric: 'cost growth per event (twinkit, plain delays)',
            value: growth('cpu', 'delay'),
            unit: 'x',
            reference: { name: `cost at ${sizes[0]} pending`, value: 1 },
            ratio: growth('cpu', 'delay'),
            wall: { value: growth('wall', 'delay'), reference: 1, ratio: growth('wall', 'delay') },
            note: `on sim.timeout: ${growth('cpu', 'timeout').toFixed(2)}x cpu, ${growth('wall', 'timeout').toFixed(2)}x wall; hand-written: ${growth('cpu', 'hand').toFixed(2)}x cpu, ${growth('wall', 'hand').toFixed(2)}x wall (1.00x = flat; lower is better; goal <= 3x at 100k)`,
          },
        );
      }
      return results;
    },
  },
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
