/**
 * DES benchmarks: M/M/1 written with Resource and one generator process per customer (SimPy style),
 * against the same model hand-written on generators and a typed-array heap, and against the npm
 * peers simjs (Facility + Entity) and js-simulator (event scheduling), all in the same process and
 * drawing from the same random streams.
 */
import { createRequire } from 'node:module';
import { type Event, RandomStream, Simulation } from '@twinkit/core';
import { Resource } from '@twinkit/des';
import jssim from 'js-simulator';
import { ReferenceHeap } from '../core/reference-heap';
import { type BenchCase, compareRates, rateResult } from '../harness';

/** The parts of simjs 2.0.3 used here (it ships no typings). */
interface SimjsRequest {
  done(callback: () => void): SimjsRequest;
}
interface SimjsEntity {
  start(): void;
  setTimer(duration: number): SimjsRequest;
  useFacility(facility: object, duration: number): SimjsRequest;
}
interface SimjsApi {
  Sim: new () => { addEntity(klass: unknown): unknown; simulate(endTime: number): boolean };
  Entity: new (sim: unknown, name?: string) => SimjsEntity;
  Facility: new (name: string) => object;
}

/**
 * Loads simjs. Its npm build is a browserify bundle that exports nothing under Node and only sets
 * `window.Sim`, so it is evaluated once with a temporary `window` global.
 */
function loadSimjs(): SimjsApi {
  const g = globalThis as { window?: { Sim?: SimjsApi } };
  const had = 'window' in g;
  const previous = g.window;
  g.window = {};
  try {
    createRequire(import.meta.url)('simjs');
    const api = g.window.Sim;
    if (api === undefined) throw new Error('simjs did not register window.Sim');
    return api;
  } finally {
    if (had) g.window = previous;
    else delete g.window;
  }
}

const simjs = loadSimjs();

const ARRIVAL_MEAN = 1;
const SERVICE_MEAN = 0.9;
const streamKey = { seed: 1, replication: 0, forkPath: '' };

/** twinkit: Resource + a generator process per customer. Returns customers served. */
export function mm1Twinkit(customers: number): number {
  const sim = new Simulation({ seed: 1 });
  const server = new Resource(sim, { capacity: 1 });
  const arrivals = sim.rng('arrivals');
  const service = sim.rng('service');
  let served = 0;
  function* customer() {
    const req = server.request();
    yield req;
    yield sim.timeout(service.exponential(SERVICE_MEAN));
    server.release(req);
    served++;
  }
  sim.process(function* source() {
    for (let i = 0; i < customers; i++) {
      yield sim.timeout(arrivals.exponential(ARRIVAL_MEAN));
      sim.process(customer);
    }
  });
  sim.run();
  return served;
}

/**
 * The same model on the twinkit kernel with the server written by hand (a flag and a FIFO of wake-up
 * events): separates the cost of the kernel's processes from the cost of Resource.
 */
export function mm1KernelOnly(customers: number): number {
  const sim = new Simulation({ seed: 1 });
  const arrivals = sim.rng('arrivals');
  const service = sim.rng('service');
  const waiting: Event<unknown>[] = [];
  let head = 0;
  let busy = false;
  let served = 0;
  function* customer() {
    const granted = sim.event();
    if (busy) waiting.push(granted);
    else {
      busy = true;
      granted.succeed();
    }
    yield granted;
    yield sim.timeout(service.exponential(SERVICE_MEAN));
    if (head < waiting.length) waiting[head++]!.succeed();
    else {
      busy = false;
      waiting.length = 0;
      head = 0;
    }
    served++;
  }
  sim.process(function* source() {
    for (let i = 0; i < customers; i++) {
      yield sim.timeout(arrivals.exponential(ARRIVAL_MEAN));
      sim.process(customer);
    }
  });
  sim.run();
  return served;
}

const REQUEST = -1;

/**
 * The same model hand-written: customers are generators that yield a delay or REQUEST (wait for the
 * server), resumed by a loop over a typed-array heap; the server is a flag and a FIFO of ids.
 */
export function mm1HandWritten(customers: number): number {
  const arrivals = new RandomStream({ ...streamKey, name: 'arrivals' });
  const service = new RandomStream({ ...streamKey, name: 'service' });
  const heap = new ReferenceHeap();
  const gens: (Generator<number, void, void> | null)[] = [];
  const free: number[] = [];
  const waiting: number[] = [];
  let waitingHead = 0;
  let busy = false;
  let served = 0;
  let now = 0;
  const release = () => {
    if (waitingHead < waiting.length) {
      heap.push(now, waiting[waitingHead++]!);
      if (waitingHead === waiting.length) {
        waiting.length = 0;
        waitingHead = 0;
      }
    } else busy = false;
  };
  function* customer(): Generator<number, void, void> {
    yield REQUEST;
    yield service.exponential(SERVICE_MEAN);
    release();
    served++;
  }
  const spawn = (g: Generator<number, void, void>) => {
    const id = free.length > 0 ? free.pop()! : gens.length;
    gens[id] = g;
    heap.push(now, id);
  };
  spawn(
    (function* source(): Generator<number, void, void> {
      for (let i = 0; i < customers; i++) {
        yield arrivals.exponential(ARRIVAL_MEAN);
        spawn(customer());
      }
    })(),
  );
  while (heap.size > 0) {
    now = heap.topTime();
    const id = heap.pop();
    const g = gens[id]!;
    for (;;) {
      const r = g.next();
      if (r.done) {
        gens[id] = null;
        free.push(id);
        break;
      }
      if (r.value === REQUEST) {
        if (busy) {
          waiting.push(id);
          break;
        }
        busy = true;
        continue;
      }
      heap.push(now + r.value, id);
      break;
    }
  }
  return served;
}

/** simjs: a Facility (FCFS) used by a source entity, completion via done(). */
export function mm1Simjs(customers: number): number {
  const arrivals = new RandomStream({ ...streamKey, name: 'arrivals' });
  const service = new RandomStream({ ...streamKey, name: 'service' });
  const sim = new simjs.Sim();
  const server = new simjs.Facility('server');
  let served = 0;
  let arrived = 0;
  class Source extends simjs.Entity implements SimjsEntity {
    override start() {
      this.arrive();
    }
    arrive() {
      if (arrived++ >= customers) return;
      this.useFacility(server, service.exponential(SERVICE_MEAN)).done(() => {
        served++;
      });
      this.setTimer(arrivals.exponential(ARRIVAL_MEAN)).done(() => this.arrive());
    }
  }
  sim.addEntity(Source);
  sim.simulate(Number.POSITIVE_INFINITY);
  return served;
}

/** js-simulator: event scheduling with arrival and departure SimEvents and a queue count. */
export function mm1JsSimulator(customers: number): number {
  const arrivals = new RandomStream({ ...streamKey, name: 'arrivals' });
  const service = new RandomStream({ ...streamKey, name: 'service' });
  const scheduler = new jssim.Scheduler();
  let queue = 0;
  let busy = false;
  let served = 0;
  let arrived = 0;
  const departure = new jssim.SimEvent(1);
  const arrival = new jssim.SimEvent(1);
  departure.update = () => {
    served++;
    if (queue > 0) {
      queue--;
      scheduler.scheduleOnceIn(departure, service.exponential(SERVICE_MEAN));
    } else busy = false;
  };
  arrival.update = () => {
    arrived++;
    if (arrived < customers) scheduler.scheduleOnceIn(arrival, arrivals.exponential(ARRIVAL_MEAN));
    if (busy) queue++;
    else {
      busy = true;
      scheduler.scheduleOnceIn(departure, service.exponential(SERVICE_MEAN));
    }
  };
  // The same SimEvent object is rescheduled, so at most one of each kind is pending: fine here.
  scheduler.scheduleOnceIn(arrival, arrivals.exponential(ARRIVAL_MEAN));
  while (scheduler.hasEvents()) scheduler.update();
  return served;
}

export const cases: BenchCase[] = [
  {
    suite: 'des',
    name: 'mm1-resource',
    run({ quick }) {
      const customers = quick ? 20_000 : 200_000;
      const rates = compareRates(
        {
          twinkit: { work: customers, fn: () => mm1Twinkit(customers) },
          hand: { work: customers, fn: () => mm1HandWritten(customers) },
          kernel: { work: customers, fn: () => mm1KernelOnly(customers) },
          simjs: { work: customers, fn: () => mm1Simjs(customers) },
          jsSimulator: { work: customers, fn: () => mm1JsSimulator(customers) },
        },
        { rounds: quick ? 2 : 5 },
      );
      const twinkit = rates.twinkit!;
      const note = `M/M/1 rho=0.9, ${customers} customers, Resource + one generator process per customer`;
      return [
        rateResult(
          'des',
          'mm1-resource',
          'customers/s',
          'customers/s',
          twinkit,
          { name: 'hand-written generators + typed-array heap', value: rates.hand! },
          { goal: 0.7, note },
        ),
        rateResult('des', 'mm1-resource', 'customers/s vs kernel-only', 'customers/s', twinkit, {
          name: 'twinkit kernel, server written by hand',
          value: rates.kernel!,
        }),
        rateResult('des', 'mm1-resource', 'customers/s vs simjs', 'customers/s', twinkit, {
          name: 'simjs 2.0.3 Facility',
          value: rates.simjs!,
        }),
        rateResult('des', 'mm1-resource', 'customers/s vs js-simulator', 'customers/s', twinkit, {
          name: 'js-simulator 1.0.17 events',
          value: rates.jsSimulator!,
        }),
      ];
    },
  },
];
