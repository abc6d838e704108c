/**
 * Core kernel benchmarks: the calendar with callbacks and with generator processes, each against a
 * hand-written loop doing the same work in the same process.
 */
import { RandomStream, Simulation } from '@twinkit/core';
import { type BenchCase, measuredResult, measureRates } from '../harness';
import { ReferenceHeap } from './reference-heap';

const ARRIVAL_MEAN = 1;
const SERVICE_MEAN = 0.9;

/** M/M/1 in the event-scheduling style on the kernel: returns customers served. */
function mm1Callbacks(customers: number): number {
  const sim = new Simulation({ seed: 1 });
  const arrivals = sim.rng('arrivals');
  const service = sim.rng('service');
  let queue = 0;
  let busy = false;
  let served = 0;
  let arrived = 0;
  const depart = () => {
    served++;
    if (queue > 0) {
      queue--;
      sim.schedule(service.exponential(SERVICE_MEAN), depart);
    } else {
      busy = false;
    }
  };
  const arrive = () => {
    arrived++;
    if (arrived < customers) sim.schedule(arrivals.exponential(ARRIVAL_MEAN), arrive);
    if (busy) queue++;
    else {
      busy = true;
      sim.schedule(service.exponential(SERVICE_MEAN), depart);
    }
  };
  sim.schedule(arrivals.exponential(ARRIVAL_MEAN), arrive);
  sim.run();
  return served;
}

/** The same M/M/1 written by hand on a typed-array heap, drawing from the same streams. */
function mm1HandWritten(customers: number): number {
  const key = { seed: 1, replication: 0, forkPath: '' };
  const arrivals = new RandomStream({ ...key, name: 'arrivals' });
  const service = new RandomStream({ ...key, name: 'service' });
  const heap = new ReferenceHeap();
  const ARRIVE = 0;
  const DEPART = 1;
  let now = 0;
  let queue = 0;
  let busy = false;
  let served = 0;
  let arrived = 0;
  heap.push(arrivals.exponential(ARRIVAL_MEAN), ARRIVE);
  while (heap.size > 0) {
    now = heap.topTime();
    const kind = heap.pop();
    if (kind === ARRIVE) {
      arrived++;
      if (arrived < customers) heap.push(now + arrivals.exponential(ARRIVAL_MEAN), ARRIVE);
      if (busy) queue++;
      else {
        busy = true;
        heap.push(now + service.exponential(SERVICE_MEAN), DEPART);
      }
    } else {
      served++;
      if (queue > 0) {
        queue--;
        heap.push(now + service.exponential(SERVICE_MEAN), DEPART);
      } else busy = false;
    }
  }
  return served;
}

/** `count` processes, each looping on exponential timeouts, until `events` timeouts have fired. */
function processesKernel(count: number, events: number): number {
  const sim = new Simulation({ seed: 2 });
  const rng = sim.rng('delays');
  let fired = 0;
  const done = sim.event();
  for (let i = 0; i < count; i++) {
    sim.process(function* () {
      for (;;) {
        yield sim.timeout(rng.exponential(1));
        if (++fired === events) done.succeed();
      }
    });
  }
  sim.run({ until: done });
  return fired;
}

/** The same processes yielding plain delays (`yield d`: no event object per wait). */
function processesKernelDelay(count: number, events: number): number {
  const sim = new Simulation({ seed: 2 });
  const rng = sim.rng('delays');
  let fired = 0;
  const done = sim.event();
  for (let i = 0; i < count; i++) {
    sim.process(function* () {
      for (;;) {
        yield rng.exponential(1);
        if (++fired === events) done.succeed();
      }
    });
  }
  sim.run({ until: done });
  return fired;
}

/** The same with hand-written generators that yield delays, driven by a typed-array heap. */
function processesHandWritten(count: number, events: number): number {
  const rng = new RandomStream({ seed: 2, name: 'delays', replication: 0, forkPath: '' });
  let fired = 0;
  function* body(): Generator<number, void, void> {
    for (;;) {
      yield rng.exponential(1);
      if (++fired >= events) return;
    }
  }
  const gens: Generator<number, void, void>[] = [];
  const heap = new ReferenceHeap();
  for (let i = 0; i < count; i++) {
    const g = body();
    gens.push(g);
    heap.push(0, i);
  }
  while (fired < events && heap.size > 0) {
    const now = heap.topTime();
    const i = heap.pop();
    const r = gens[i]!.next();
    if (!r.done) heap.push(now + r.value, i);
  }
  return fired;
}

export const cases: BenchCase[] = [
  {
    suite: 'core',
    name: 'mm1-callbacks',
    run({ quick }) {
      const customers = quick ? 20_000 : 200_000;
      const rates = measureRates(
        {
          kernel: { work: customers, fn: () => mm1Callbacks(customers) },
          hand: { work: customers, fn: () => mm1HandWritten(customers) },
        },
        { rounds: quick ? 2 : 5, minMs: quick ? 40 : 250 },
      );
      return [
        measuredResult(
          'core',
          'mm1-callbacks',
          'customers/s',
          'customers/s',
          rates,
          'kernel',
          { key: 'hand', label: 'hand-written typed-array heap' },
          { goal: 0.7, note: 'M/M/1 rho=0.9, event-scheduling style (2 events per customer)' },
        ),
      ];
    },
  },
  {
    suite: 'core',
    name: 'processes',
    run({ quick }) {
      const events = quick ? 20_000 : 200_000;
      const results = [];
      for (const count of quick ? [1000] : [10, 1000, 100_000]) {
        const rates = measureRates(
          {
            kernel: { work: events, fn: () => processesKernel(count, events) },
            delay: { work: events, fn: () => processesKernelDelay(count, events) },
            hand: { work: events, fn: () => processesHandWritten(count, events) },
          },
          { rounds: quick ? 2 : 5, minMs: quick ? 40 : 250 },
        );
        results.push(
          measuredResult(
            'core',
            `processes-delay-${count}`,
            'plain delays/s',
            'events/s',
            rates,
            'delay',
            { key: 'hand', label: 'hand-written generators on a typed-array heap' },
            {
              goal: 0.7,
              note: `the same ${count} processes yielding plain delays (yield d), measured in alternation with processes-${count}`,
            },
          ),
        );
        results.push(
          measuredResult(
            'core',
            `processes-${count}`,
            'timeouts/s',
            'events/s',
            rates,
            'kernel',
            { key: 'hand', label: 'hand-written generators on a typed-array heap' },
            { goal: 0.7, note: `${count} generator processes looping on exponential timeouts` },
          ),
        );
      }
      return results;
    },
  },
];
