import { Interrupt, Simulation, TwinkitError } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import type { Balked } from '../base-resource';
import { Preempted, PreemptiveResource, PriorityResource, type Request, Resource } from './resource';

/** Runs customers that each request `res` at `at`, hold it for `hold`, and log when they got it. */
function customers(
  sim: Simulation,
  res: Resource,
  specs: { name: string; at: number; hold: number; request?: () => Request }[],
): string[] {
  const log: string[] = [];
  for (const spec of specs) {
    sim.process(
      function* () {
        yield sim.timeout(spec.at);
        const req = spec.request ? spec.request() : res.request();
        yield req;
        log.push(`${sim.now} ${spec.name}`);
        yield sim.timeout(spec.hold);
        res.release(req);
      },
      { name: spec.name },
    );
  }
  return log;
}

describe('Resource', () => {
  it('grants units in FIFO order as they are released', () => {
    const sim = new Simulation();
    const res = new Resource(sim, { capacity: 2 });
    const log = customers(sim, res, [
      { name: 'a', at: 0, hold: 5 },
      { name: 'b', at: 1, hold: 5 },
      { name: 'c', at: 2, hold: 1 },
      { name: 'd', at: 3, hold: 1 },
    ]);
    sim.run();
    expect(log).toEqual(['0 a', '1 b', '5 c', '6 d']);
    expect(res.count).toBe(0);
    expect(res.stats.arrivals).toBe(4);
    expect(res.stats.departures).toBe(4);
    // waits: a 0, b 0, c 3, d 3
    expect(res.stats.waitingTime.mean).toBeCloseTo(1.5, 12);
    expect(res.stats.waitingTime.count).toBe(4);
  });

  it('keeps time-weighted busy units and queue length', () => {
    const sim = new Simulation();
    const res = new Resource(sim, { capacity: 1 });
    customers(sim, res, [
      { name: 'a', at: 0, hold: 4 },
      { name: 'b', at: 2, hold: 4 },
    ]);
    sim.run({ until: 10 });
    // busy from 0 to 8 of 10; one waiting from 2 to 4
    expect(res.stats.inUse.mean).toBeCloseTo(0.8, 12);
    expect(res.stats.utilization).toBeCloseTo(0.8, 12);
    expect(res.stats.queueLength.mean).toBeCloseTo(0.2, 12);
    expect(res.stats.queueLength.max).toBe(1);
  });

  it('lets a waiting request renege with anyOf and cancel(), counting it', () => {
    const sim = new Simulation();
    const res = new Resource(sim, { capacity: 1 });
    const log: string[] = [];
    customers(sim, res, [{ name: 'holder', at: 0, hold: 10 }]);
    sim.process(function* impatient() {
      yield sim.timeout(1);
      const req = res.request();
      const result = yield sim.anyOf([req, sim.timeout(3)]);
      if (!result.has(req)) {
        log.push(`${sim.now} reneged ${req.cancel()}`);
      }
    });
    customers(sim, res, [{ name: 'patient', at: 2, hold: 1 }]);
    sim.run();
    expect(log).toEqual(['4 reneged withdrawn']);
    expect(res.stats.reneges).toBe(1);
    // the patient one is served at 10, not blocked by the reneged request
    expect(res.stats.waitingTime.count).toBe(2);
    expect(res.stats.waitingTime.max).toBe(8);
    expect(res.queueLength).toBe(0);
  });

  it('cancel() of a request granted at the same instant as the timeout releases the unit', () => {
    const sim = new Simulation();
    const res = new Resource(sim, { capacity: 1 });
    const outcomes: string[] = [];
    sim.process(function* holder() {
      const req = res.request();
      yield req;
      yield sim.timeout(2);
      yield sim.timeout(1); // scheduled at t=2, after the waiter's timeout: it fires second at t=3
      res.release(req);
    });
    sim.process(function* () {
      yield sim.timeout(1);
      const req = res.request();
      // The holder releases at 3; the grant is triggered at 3 but processed after this timeout fires.
      const result = yield sim.anyOf([sim.timeout(2), req]);
      outcomes.push(`${result.has(req)} ${req.status}`);
      if (!result.has(req)) outcomes.push(req.cancel());
      outcomes.push(req.cancel());
    });
    sim.run();
    expect(outcomes).toEqual(['false granted', 'released', 'none']);
    expect(res.count).toBe(0);
  });

  it('lets a process interrupted while queued withdraw its request in a finally block', () => {
    const sim = new Simulation();
    const res = new Resource(sim, { capacity: 1 });
    const log: string[] = [];
    customers(sim, res, [{ name: 'holder', at: 0, hold: 5 }]);
    const waiter = sim.process(function* () {
      yield sim.timeout(0.5);
      const req = res.request();
      try {
        yield req;
        log.push('granted');
      } catch (e) {
        log.push(`${sim.now} ${(e as Interrupt).cause}`);
      } finally {
        log.push(req.cancel());
      }
    });
    const next = customers(sim, res, [{ name: 'next', at: 1, hold: 1 }]);
    sim.schedule(2, () => waiter.interrupt('called away'));
    sim.run();
    expect(log).toEqual(['2 called away', 'withdrawn']);
    expect(next).toEqual(['5 next']);
    expect(res.stats.reneges).toBe(1);
  });

  it('lets a process interrupted while holding a unit release it', () => {
    const sim = new Simulation();
    const res = new Resource(sim, { capacity: 1 });
    const worker = sim.process(function* () {
      const req = res.request();
      yield req;
      try {
        yield sim.timeout(10);
      } catch (e) {
        expect(e).toBeInstanceOf(Interrupt);
      } finally {
        res.release(req);
      }
    });
    const next = customers(sim, res, [{ name: 'next', at: 1, hold: 1 }]);
    sim.schedule(3, () => worker.interrupt('stop'));
    sim.run();
    expect(next).toEqual(['3 next']);
  });

  it('balks a request when queueCapacity requests already wait', () => {
    const sim = new Simulation();
    const res = new Resource(sim, { capacity: 1, queueCapacity: 1 });
    const log: string[] = [];
    customers(sim, res, [
      { name: 'a', at: 0, hold: 5 },
      { name: 'b', at: 1, hold: 1 },
    ]);
    sim.process(function* () {
      yield sim.timeout(2);
      const req = res.request();
      expect(req.balked).toBe(true);
      try {
        yield req;
      } catch (e) {
        log.push(`${sim.now} ${(e as Balked).name} ${(e as Balked).queueLength}`);
      }
    });
    sim.process(function* () {
      yield sim.timeout(2.5);
      const req = res.request(); // balks; not yielded: must not crash the run
      log.push(`checked ${req.balked}`);
    });
    sim.run();
    expect(log).toEqual(['2 Balked 1', 'checked true']);
    expect(res.stats.balks).toBe(2);
    expect(res.stats.arrivals).toBe(4);
    expect(res.queueLength).toBe(0);
  });

  it('rejects bad capacities with a TwinkitError naming the value', () => {
    const sim = new Simulation();
    for (const capacity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new Resource(sim, { capacity })).toThrow(TwinkitError);
    }
    expect(() => new Resource(sim, { capacity: 0 })).toThrow(
      'Resource(capacity): capacity must be an integer >= 1, got 0. Pass { capacity: 1 } or more.',
    );
    expect(() => new Resource(sim, { queueCapacity: -1 })).toThrow(/queueCapacity must be an integer >= 0/);
  });

  it('refuses to release a request twice, one never granted, or one of another resource', () => {
    const sim = new Simulation();
    const a = new Resource(sim, { capacity: 1, name: 'a' });
    const b = new Resource(sim, { capacity: 1, name: 'b' });
    const errors: string[] = [];
    const attempt = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(TwinkitError);
        errors.push((e as Error).message);
      }
    };
    sim.process(function* () {
      const held = a.request();
      yield held;
      const queued = a.request();
      attempt(() => a.release(queued));
      attempt(() => b.release(held));
      attempt(() => a.release({} as Request));
      a.release(held);
      attempt(() => a.release(held));
      // the queued one got the unit; state is consistent
      yield queued;
      expect(a.count).toBe(1);
      a.release(queued);
    });
    sim.run();
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/still waiting for a unit \(it was never granted\)/);
    expect(errors[1]).toMatch(/was made to "a", not to "b"/);
    expect(errors[2]).toMatch(/must be a Request returned by this Resource/);
    expect(errors[3]).toMatch(/was already released/);
    expect(a.count).toBe(0);
    expect(a.stats.departures).toBe(2);
  });

  it('resets statistics at the end of a warm-up, keeping the current levels', () => {
    const sim = new Simulation();
    const res = new Resource(sim, { capacity: 1 });
    customers(sim, res, [
      { name: 'a', at: 0, hold: 10 },
      { name: 'b', at: 1, hold: 10 },
    ]);
    sim.run({ until: 5 });
    res.stats.reset();
    expect(res.stats.arrivals).toBe(0);
    expect(res.stats.since).toBe(5);
    sim.run({ until: 15 });
    expect(res.stats.inUse.mean).toBe(1);
    expect(res.stats.queueLength.mean).toBeCloseTo(0.5, 12); // b waits from 5 to 10
    expect(res.stats.waitingTime.count).toBe(1);
    expect(res.stats.waitingTime.mean).toBe(9); // its whole wait, from 1
    expect(res.stats.toJSON().departures).toBe(1);
  });

  it('registers read-only observables in the state vector under its name', () => {
    const sim = new Simulation();
    const res = new Resource(sim, { capacity: 2, name: 'line1.machine' });
    customers(sim, res, [
      { name: 'a', at: 0, hold: 5 },
      { name: 'b', at: 0, hold: 5 },
      { name: 'c', at: 0, hold: 5 },
    ]);
    sim.run({ until: 1 });
    expect(
      sim.state.read(['line1.machine.busy', 'line1.machine.queueLength', 'line1.machine.capacity']),
    ).toEqual(new Float64Array([2, 1, 2]));
    expect(sim.state.describe('line1.machine.busy').writable).toBe(false);
    expect(() => sim.state.set('line1.machine.queueLength', 0)).toThrow(/read-only/);
    expect(() => new Resource(sim, { name: 'line1.machine' })).toThrow(/already defined/);
  });
});

describe('PriorityResource', () => {
  it('serves lower priority numbers first, FIFO within a priority', () => {
    const sim = new Simulation();
    const res = new PriorityResource(sim, { capacity: 1 });
    const log = customers(sim, res, [
      { name: 'first', at: 0, hold: 10 },
      { name: 'p2a', at: 1, hold: 1, request: () => res.request({ priority: 2 }) },
      { name: 'p1a', at: 2, hold: 1, request: () => res.request({ priority: 1 }) },
      { name: 'p2b', at: 3, hold: 1, request: () => res.request({ priority: 2 }) },
      { name: 'p1b', at: 4, hold: 1, request: () => res.request({ priority: 1 }) },
      { name: 'p0', at: 5, hold: 1, request: () => res.request({ priority: 0 }) },
    ]);
    sim.run();
    expect(log).toEqual(['0 first', '10 p0', '11 p1a', '12 p1b', '13 p2a', '14 p2b']);
    expect(res.queue).toEqual([]);
  });

  it('lists the waiting requests in service order and skips withdrawn ones', () => {
    const sim = new Simulation();
    const res = new PriorityResource(sim, { capacity: 1 });
    res.request({ priority: 0 });
    const low = res.request({ priority: 5 });
    const high = res.request({ priority: 1 });
    const mid = res.request({ priority: 3 });
    expect(res.queue).toEqual([high, mid, low]);
    mid.cancel();
    expect(res.queue).toEqual([high, low]);
    expect(res.queueLength).toBe(2);
    expect(() => res.request({ priority: Number.NaN })).toThrow(/priority must be a finite number/);
  });
});

describe('PreemptiveResource', () => {
  it('interrupts the least urgent user with a cause naming the request and the usage time', () => {
    const sim = new Simulation();
    const res = new PreemptiveResource(sim, { capacity: 1, name: 'repairman' });
    const log: string[] = [];
    let urgent: Request | null = null;
    sim.process(
      function* routine() {
        const req = res.request({ priority: 2 });
        yield req;
        try {
          yield sim.timeout(10);
          log.push('routine done');
        } catch (e) {
          const cause = (e as Interrupt).cause as Preempted;
          expect(cause).toBeInstanceOf(Preempted);
          expect(cause.by).toBe(urgent);
          log.push(
            `${sim.now} preempted by ${cause.byProcess} after ${cause.usageTime} since ${cause.usageSince}`,
          );
          expect(req.status).toBe('preempted');
          expect(() => res.release(req)).toThrow(/was preempted/);
          expect(req.cancel()).toBe('none');
        }
      },
      { name: 'routine' },
    );
    sim.process(
      function* emergency() {
        yield sim.timeout(3);
        urgent = res.request({ priority: 0 });
        yield urgent;
        log.push(`${sim.now} emergency served`);
        yield sim.timeout(1);
        res.release(urgent);
      },
      { name: 'emergency' },
    );
    sim.run();
    expect(log).toEqual(['3 preempted by emergency after 3 since 0', '3 emergency served']);
    expect(res.stats.preemptions).toBe(1);
    expect(res.count).toBe(0);
  });

  it('does not preempt with preempt: false, or an equally urgent earlier user', () => {
    const sim = new Simulation();
    const res = new PreemptiveResource(sim, { capacity: 1 });
    const log = customers(sim, res, [
      { name: 'a', at: 0, hold: 5, request: () => res.request({ priority: 1 }) },
      { name: 'polite', at: 1, hold: 1, request: () => res.request({ priority: 0, preempt: false }) },
      { name: 'same', at: 2, hold: 1, request: () => res.request({ priority: 1 }) },
    ]);
    sim.run();
    expect(log).toEqual(['0 a', '5 polite', '6 same']);
    expect(res.stats.preemptions).toBe(0);
  });

  it('handles preemption chains: each more urgent request preempts the current user', () => {
    const sim = new Simulation();
    const res = new PreemptiveResource(sim, { capacity: 1 });
    const log: string[] = [];
    const job = (name: string, at: number, priority: number, work: number) =>
      sim.process(
        function* () {
          yield sim.timeout(at);
          let left = work;
          // Preempt-resume: request again after each preemption until the work is done.
          while (left > 0) {
            const req = res.request({ priority });
            yield req;
            const start = sim.now;
            try {
              yield sim.timeout(left);
              left = 0;
              res.release(req);
              log.push(`${sim.now} ${name} done`);
            } catch (e) {
              left -= sim.now - start;
              log.push(`${sim.now} ${name} preempted by ${((e as Interrupt).cause as Preempted).byProcess}`);
            }
          }
        },
        { name },
      );
    job('p3', 0, 3, 10);
    job('p2', 1, 2, 10);
    job('p1', 2, 1, 10);
    job('p0', 3, 0, 1);
    sim.run();
    expect(log).toEqual([
      '1 p3 preempted by p2',
      '2 p2 preempted by p1',
      '3 p1 preempted by p0',
      '4 p0 done',
      '13 p1 done',
      '22 p2 done',
      '31 p3 done',
    ]);
    expect(res.stats.preemptions).toBe(3);
    expect(res.stats.utilization).toBeCloseTo(1, 12);
  });

  it('with several units, preempts the least urgent of the users', () => {
    const sim = new Simulation();
    const res = new PreemptiveResource(sim, { capacity: 2 });
    const victims: string[] = [];
    const hold = (name: string, priority: number) =>
      sim.process(
        function* () {
          const req = res.request({ priority });
          yield req;
          try {
            yield sim.timeout(100);
            res.release(req);
          } catch {
            victims.push(name);
          }
        },
        { name },
      );
    hold('p1', 1);
    hold('p5', 5);
    sim.process(function* () {
      yield sim.timeout(1);
      const req = res.request({ priority: 0 });
      yield req;
      res.release(req);
    });
    sim.run();
    expect(victims).toEqual(['p5']);
  });
});

describe('Resource capacity changes', () => {
  it('serves waiting requests when units are added and lets users finish when units are removed', () => {
    const sim = new Simulation();
    const res = new Resource(sim, { capacity: 1, name: 'cell.crew' });
    const log = customers(sim, res, [
      { name: 'a', at: 0, hold: 10 },
      { name: 'b', at: 0, hold: 10 },
      { name: 'c', at: 0, hold: 10 },
    ]);
    sim.schedule(2, () => sim.state.set('cell.crew.capacity', 3)); // a shift change: two more people
    sim.schedule(5, () => res.setCapacity(1)); // they leave, but finish what they started
    sim.run();
    expect(log).toEqual(['0 a', '2 b', '2 c']);
    expect(res.capacity).toBe(1);
    expect(res.count).toBe(0);
    // usage: 1 unit 0-2, 3 units 2-10, 2 units 10-12 = 2 + 24 + 4 = 30;
    // capacity: 1 for 0-2, 3 for 2-5, 1 for 5-12 = 2 + 9 + 7 = 18
    expect(res.stats.inUse.integral).toBe(30);
    expect(res.stats.utilization).toBeCloseTo(30 / 18, 12);
    expect(() => res.setCapacity(0)).toThrow(/capacity must be an integer >= 1, got 0/);
    expect(() => sim.state.set('cell.crew.capacity', 2.5)).toThrow(TwinkitError);
    expect(res.capacity).toBe(1);
  });
});
