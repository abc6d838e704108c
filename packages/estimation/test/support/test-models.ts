/**
 * Models used by the replication tests. They live in their own module, exported under the names
 * given to defineModel, so that worker threads can load them.
 *
 * @internal
 */
import { defineModel, type Event, type Simulation, Tally } from '@twinkit/core';

/** Parameters of the M/M/1 queue. */
export interface QueueParams {
  /** Arrival rate λ. */
  arrivalRate: number;
  /** Service rate μ. */
  serviceRate: number;
  /** Customers whose wait is recorded. */
  customers: number;
  /**
   * Start in the state a typical arrival sees: a number in system drawn from the stationary
   * distribution P(N = k) = (1 − ρ)ρᵏ and the first recorded customer arriving at time 0. Every
   * recorded wait then has the stationary distribution (no warm-up bias). Note that the first arrival
   * *after* a time-stationary start would not do: it follows a size-biased interarrival gap (the
   * inspection paradox) and waits 0.5 instead of 1 on average at ρ = 0.5.
   */
  stationaryStart: boolean;
}

/** An M/M/1 FIFO queue written with processes, timeouts and events; records the wait in queue. */
export const mm1 = defineModel(
  (sim, p: QueueParams) => {
    const arrivals = sim.rng('arrivals');
    const services = sim.rng('services');
    const waits = new Tally('wait in queue');
    const waiting: Event<undefined>[] = [];
    let busy = false;
    function* customer(service: number, record: boolean) {
      const arrival = sim.now;
      if (busy) {
        const turn = sim.event<undefined>();
        waiting.push(turn);
        yield turn;
      } else {
        busy = true;
      }
      if (record) waits.add(sim.now - arrival);
      yield sim.timeout(service);
      const next = waiting.shift();
      if (next === undefined) busy = false;
      else next.succeed();
    }
    if (p.stationaryStart) {
      const initial = sim.rng('initial');
      const rho = p.arrivalRate / p.serviceRate;
      let inSystem = 0;
      while (initial.next() < rho) inSystem++;
      // Exponential services are memoryless: a fresh draw is the residual service of the one in service.
      for (let k = 0; k < inSystem; k++)
        sim.process(customer(services.exponential(1 / p.serviceRate), false));
    }
    sim.process(function* () {
      for (let i = 0; i < p.customers; i++) {
        if (i > 0 || !p.stationaryStart) yield sim.timeout(arrivals.exponential(1 / p.arrivalRate));
        // The service time is drawn on arrival: customer i gets the same draw in every scenario (CRN).
        sim.process(customer(services.exponential(1 / p.serviceRate), true));
      }
    });
    return { waits };
  },
  { name: 'mm1', module: import.meta.url },
);

/** A CPU-bound model for the worker speed-up benchmark: a long deterministic loop over random draws. */
export const busyWork = defineModel(
  (sim, p: { draws: number }) => {
    const rng = sim.rng('work');
    const result = { total: 0 };
    sim.schedule(0, () => {
      let total = 0;
      for (let i = 0; i < p.draws; i++) total += Math.sqrt(rng.next());
      result.total = total / p.draws;
    });
    return result;
  },
  { name: 'busyWork', module: import.meta.url },
);

/** The state of {@link arrivals}: arrivals so far and the due time of the next one (null: not drawn). */
export interface ArrivalsState {
  count: number;
  next: number | null;
}

function countArrivals(sim: Simulation, p: { rate: number }, saved: ArrivalsState): ArrivalsState {
  const state = { ...saved };
  const rng = sim.rng('arrivals');
  sim.process(function* () {
    for (;;) {
      let wait = (state.next ?? Number.NaN) - sim.now;
      if (state.next === null) {
        wait = rng.exponential(1 / p.rate);
        state.next = sim.now + wait;
      }
      yield sim.timeout(wait);
      state.next = null;
      state.count++;
    }
  });
  return state;
}

/** A Poisson arrival counter with snapshot hooks: the pending arrival is saved as a due time. */
export const arrivals = defineModel(
  (sim, p: { rate: number }) => countArrivals(sim, p, { count: 0, next: null }),
  {
    name: 'arrivals',
    module: import.meta.url,
    snapshot: {
      saveState: (state) => ({ ...state }),
      restoreState: (sim, p, saved: ArrivalsState) => countArrivals(sim, p, saved),
    },
  },
);

/** A model defined without a module, which worker threads cannot load. */
export const unexported = defineModel(() => ({ value: 1 }));

/** A model whose replication `p.failAt` throws while running (the others give their index). */
export const failing = defineModel(
  (sim, p: { failAt: number }) => {
    const result = { index: sim.replication };
    sim.schedule(1, () => {
      if (sim.replication === p.failAt) throw new Error(`the pump model broke in replication ${p.failAt}`);
    });
    return result;
  },
  { name: 'failing', module: import.meta.url },
);
