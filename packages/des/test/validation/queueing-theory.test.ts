/**
 * Validation against queueing theory: seeded runs long enough that the 99% batch-means confidence
 * interval is tight (relative half-width a few percent), compared with closed-form results, and
 * Little's law checked from the built-in statistics of each resource.
 */
import { type Interrupt, Simulation } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { PreemptiveResource, PriorityResource, type Request, Resource } from '../../src/resource';
import { batchMeans, type Estimate, Observations } from './batch-means';

const WARM_UP_CUSTOMERS = 5_000;

/** Asserts that the interval covers `theory` and is tight (relative half-width below `tightness`). */
function expectCovers(estimate: Estimate, theory: number, tightness = 0.05): void {
  expect(estimate.halfWidth / theory).toBeLessThan(tightness);
  expect(Math.abs(estimate.mean - theory)).toBeLessThanOrEqual(estimate.halfWidth);
}

/** Checks Little's law on a resource's waiting line from its built-in statistics (sample-path identity). */
function expectLittleOnQueue(res: Resource): void {
  const s = res.stats;
  const elapsed = s.queueLength.elapsed;
  const throughput = (s.arrivals - s.balks) / elapsed;
  expect(s.queueLength.mean).toBeGreaterThan(0);
  expect(Math.abs(s.queueLength.mean - throughput * s.waitingTime.mean) / s.queueLength.mean).toBeLessThan(
    0.01,
  );
}

/** Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = λ/μ. */
function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1; // k = 0
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = (term * a) / c; // a^c / c!
  const rho = a / c;
  return last / (1 - rho) / (sum + last / (1 - rho));
}

interface SingleQueueResult {
  waits: Observations;
  res: Resource;
}

/**
 * Runs a FIFO queue on a Resource: Poisson arrivals, service times from `service`, until `customers`
 * have been served; statistics are reset after the warm-up customers.
 */
function runQueue(
  seed: number,
  lambda: number,
  capacity: number,
  service: (sim: Simulation) => number,
  customers: number,
  queueCapacity = Number.POSITIVE_INFINITY,
): SingleQueueResult {
  const sim = new Simulation({ seed });
  const res = new Resource(sim, { capacity, queueCapacity });
  const waits = new Observations();
  let served = 0;
  const arrivals = sim.rng('arrivals');
  function* customer() {
    const req = res.request();
    if (req.balked) return;
    const arrived = sim.now;
    yield req;
    waits.add(sim.now - arrived);
    if (waits.length === WARM_UP_CUSTOMERS) res.stats.reset();
    yield sim.timeout(service(sim));
    res.release(req);
    served++;
  }
  sim.process(function* source() {
    while (served < customers) {
      yield sim.timeout(arrivals.exponential(1 / lambda));
      sim.process(customer);
    }
  });
  const done = sim.process(function* () {
    while (served < customers) yield sim.timeout(100);
  });
  sim.run({ until: done });
  return { waits, res };
}

/** Starts one Poisson arrival stream per class (rates `lambdas`), calling `arrive(class)` at each arrival. */
function poissonClasses(sim: Simulation, lambdas: readonly number[], arrive: (cls: number) => void): void {
  lambdas.forEach((lambda, cls) => {
    const arrivals = sim.rng(`arrivals-${cls}`);
    sim.process(function* source() {
      for (;;) {
        yield sim.timeout(arrivals.exponential(1 / lambda));
        arrive(cls);
      }
    });
  });
}

describe('validation against queueing theory', () => {
  it('M/M/1: mean wait in queue is rho / (mu - lambda)', () => {
    const lambda = 0.7;
    const mu = 1;
    const { waits, res } = runQueue(1, lambda, 1, (sim) => sim.rng('service').exponential(1 / mu), 400_000);
    const wq = batchMeans(waits.after(WARM_UP_CUSTOMERS));
    expectCovers(wq, lambda / mu / (mu - lambda));
    expect(res.stats.utilization).toBeCloseTo(lambda / mu, 2);
    expectLittleOnQueue(res);
  });

  it('M/M/c: mean wait in queue follows Erlang C', () => {
    const lambda = 2.4;
    const mu = 1;
    const c = 3;
    const { waits, res } = runQueue(2, lambda, c, (sim) => sim.rng('service').exponential(1 / mu), 1_000_000);
    const theory = erlangC(c, lambda / mu) / (c * mu - lambda);
    const wq = batchMeans(waits.after(WARM_UP_CUSTOMERS));
    expectCovers(wq, theory);
    expect(res.stats.inUse.mean).toBeCloseTo(lambda / mu, 1);
    expectLittleOnQueue(res);
  });

  it('M/D/1: mean wait in queue follows Pollaczek-Khinchine', () => {
    const lambda = 0.7;
    const d = 1;
    const { waits, res } = runQueue(3, lambda, 1, () => d, 300_000);
    const rho = lambda * d;
    // P-K: Wq = lambda E[S^2] / (2 (1 - rho)), with E[S^2] = d^2
    const wq = batchMeans(waits.after(WARM_UP_CUSTOMERS));
    expectCovers(wq, (lambda * d * d) / (2 * (1 - rho)));
    expectLittleOnQueue(res);
  });

  it('M/M/1/K: the fraction of balked arrivals is the blocking probability', () => {
    const lambda = 0.9;
    const mu = 1;
    const k = 5; // in the system: 1 in service + 4 waiting
    const sim = new Simulation({ seed: 4 });
    const res = new Resource(sim, { capacity: 1, queueCapacity: k - 1 });
    const blocked = new Observations();
    const arrivals = sim.rng('arrivals');
    const service = sim.rng('service');
    let n = 0;
    function* customer() {
      const req = res.request();
      blocked.add(req.balked ? 1 : 0);
      if (req.balked) return;
      yield req;
      yield sim.timeout(service.exponential(1 / mu));
      res.release(req);
    }
    sim.process(function* source() {
      for (;;) {
        yield sim.timeout(arrivals.exponential(1 / lambda));
        if (++n === WARM_UP_CUSTOMERS) res.stats.reset();
        sim.process(customer);
      }
    });
    sim.run({ until: 400_000 });
    const rho = lambda / mu;
    const theory = ((1 - rho) * rho ** k) / (1 - rho ** (k + 1));
    expectCovers(batchMeans(blocked.after(WARM_UP_CUSTOMERS)), theory);
    expect(res.stats.balks / res.stats.arrivals).toBeCloseTo(theory, 2);
    expect(res.stats.queueLength.max).toBe(k - 1);
    expectLittleOnQueue(res);
  });

  it('M/M/1 with two non-preemptive priority classes: waits follow Cobham', () => {
    const lambdas = [0.3, 0.4];
    const mu = 1;
    const sim = new Simulation({ seed: 5 });
    const res = new PriorityResource(sim, { capacity: 1 });
    const waits = [new Observations(), new Observations()];
    const service = sim.rng('service');
    let total = 0;
    poissonClasses(sim, lambdas, (cls) =>
      sim.process(function* customer() {
        const arrived = sim.now;
        const req = res.request({ priority: cls });
        yield req;
        waits[cls]!.add(sim.now - arrived);
        if (++total === WARM_UP_CUSTOMERS) res.stats.reset();
        yield sim.timeout(service.exponential(1 / mu));
        res.release(req);
      }),
    );
    sim.run({ until: 500_000 });
    // Cobham: W_k = W0 / ((1 - s_{k-1})(1 - s_k)), W0 = sum lambda_i E[S_i^2] / 2 = lambda / mu^2.
    const w0 = (lambdas[0]! + lambdas[1]!) / mu ** 2;
    const s1 = lambdas[0]! / mu;
    const s2 = s1 + lambdas[1]! / mu;
    expectCovers(batchMeans(waits[0]!.after(WARM_UP_CUSTOMERS / 2)), w0 / (1 - s1));
    expectCovers(batchMeans(waits[1]!.after(WARM_UP_CUSTOMERS / 2)), w0 / ((1 - s1) * (1 - s2)));
    expectLittleOnQueue(res);
  });

  it('M/M/1 with preemptive-resume priorities: times in system follow the preemptive formula', () => {
    const lambdas = [0.3, 0.4];
    const mu = 1;
    const sim = new Simulation({ seed: 6 });
    const res = new PreemptiveResource(sim, { capacity: 1 });
    const sojourn = [new Observations(), new Observations()];
    const service = sim.rng('service');
    let total = 0;
    poissonClasses(sim, lambdas, (cls) =>
      sim.process(function* customer() {
        const arrived = sim.now;
        let left = service.exponential(1 / mu);
        while (left > 0) {
          const req: Request = res.request({ priority: cls });
          yield req;
          const start = sim.now;
          try {
            yield sim.timeout(left);
            left = 0;
            res.release(req);
          } catch (e) {
            left -= sim.now - start; // resume later with the work that is left
            expect((e as Interrupt).name).toBe('Interrupt');
          }
        }
        sojourn[cls]!.add(sim.now - arrived);
        if (++total === WARM_UP_CUSTOMERS) res.stats.reset();
      }),
    );
    sim.run({ until: 500_000 });
    // Preemptive resume, class k: T_k = (1/mu) / (1 - s_{k-1}) + R_k / ((1 - s_{k-1})(1 - s_k)),
    // R_k = sum_{i<=k} lambda_i E[S^2] / 2 = sum_{i<=k} lambda_i / mu^2.
    const s1 = lambdas[0]! / mu;
    const s2 = s1 + lambdas[1]! / mu;
    const t1 = 1 / mu + lambdas[0]! / mu ** 2 / (1 - s1);
    const t2 = 1 / mu / (1 - s1) + (lambdas[0]! + lambdas[1]!) / mu ** 2 / ((1 - s1) * (1 - s2));
    expectCovers(batchMeans(sojourn[0]!.after(WARM_UP_CUSTOMERS / 2)), t1);
    expectCovers(batchMeans(sojourn[1]!.after(WARM_UP_CUSTOMERS / 2)), t2);
    expect(res.stats.preemptions).toBeGreaterThan(0);
    // Little's law for the whole system: L = lambda T, with L = busy + waiting from the statistics.
    const s = res.stats;
    const inSystem = s.inUse.mean + s.queueLength.mean;
    const lambda = lambdas[0]! + lambdas[1]!;
    const meanT =
      (lambdas[0]! * batchMeans(sojourn[0]!.after(0)).mean +
        lambdas[1]! * batchMeans(sojourn[1]!.after(0)).mean) /
      lambda;
    expect(Math.abs(inSystem - lambda * meanT) / inSystem).toBeLessThan(0.02);
    expectLittleOnQueue(res);
  });
});
