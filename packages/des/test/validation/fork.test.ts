/**
 * Fork: a simulation with processes waiting in resource queues, holding resources, blocked on stores
 * and containers forks correctly: with the same replication the fork's future is the original's;
 * with another replication it diverges after the fork point.
 */
import { defineModel, type Interrupt } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { Container } from '../../src/container';
import { PreemptiveResource, Resource } from '../../src/resource';
import { Store } from '../../src/store';
import { startTrace } from '../../src/trace';

const plant = defineModel((sim) => {
  const log: string[] = [];
  const machine = new Resource(sim, { capacity: 2, name: 'plant.machine' });
  const repair = new PreemptiveResource(sim, { capacity: 1, name: 'plant.repair' });
  const buffer = new Store<number>(sim, { capacity: 3, name: 'plant.buffer' });
  const oil = new Container(sim, { capacity: 50, initial: 20, name: 'plant.oil' });
  const arrivals = sim.rng('arrivals');
  const work = sim.rng('work');
  let id = 0;
  sim.process(function* source() {
    for (;;) {
      yield sim.timeout(arrivals.exponential(1));
      const job = id++;
      sim.process(function* () {
        const req = machine.request();
        const result = yield sim.anyOf([req, sim.timeout(4)]);
        if (!result.has(req)) {
          req.cancel();
          log.push(`${sim.now.toFixed(6)} job ${job} reneged`);
          return;
        }
        yield oil.get(1);
        yield sim.timeout(work.exponential(1.5));
        machine.release(req);
        yield buffer.put(job); // blocks when the buffer is full
        log.push(`${sim.now.toFixed(6)} job ${job} buffered`);
      });
    }
  });
  sim.process(function* consumer() {
    for (;;) {
      const job: number = yield buffer.get();
      yield sim.timeout(work.exponential(2.2));
      log.push(`${sim.now.toFixed(6)} job ${job} shipped`);
    }
  });
  sim.process(function* refill() {
    for (;;) {
      yield sim.timeout(15);
      yield oil.put(10);
    }
  });
  for (const [name, priority] of [
    ['routine', 1],
    ['urgent', 0],
  ] as const) {
    sim.process(
      function* () {
        for (;;) {
          yield sim.timeout(arrivals.exponential(priority === 0 ? 9 : 3));
          let left = work.exponential(2);
          while (left > 0) {
            const req = repair.request({ priority });
            yield req;
            const start = sim.now;
            try {
              yield sim.timeout(left);
              left = 0;
              repair.release(req);
            } catch (e) {
              left -= sim.now - start;
              log.push(`${sim.now.toFixed(6)} ${name} preempted ${String((e as Interrupt).cause)}`);
            }
          }
          log.push(`${sim.now.toFixed(6)} ${name} repaired`);
        }
      },
      { name },
    );
  }
  return { log, machine, repair, buffer, oil };
});

/** A state where processes wait, hold, block and have been preempted. */
function busyPlant() {
  const live = plant.create({ seed: 7 });
  for (let t = 10; ; t += 0.5) {
    live.run({ until: t });
    const m = live.model;
    if (m.machine.queueLength > 0 && m.buffer.putQueueLength > 0 && m.repair.stats.preemptions > 0) break;
    if (t > 2000) throw new Error('no busy state found');
  }
  return live;
}

describe('fork of DES models', () => {
  it('reproduces the future exactly with the same replication (queues, holders, blocked puts)', () => {
    const live = busyPlant();
    const m = live.model;
    expect(m.machine.count).toBe(2);
    const fork = live.fork();
    const f = fork.model;
    expect(f.machine.queueLength).toBe(m.machine.queueLength);
    expect(f.buffer.items).toEqual(m.buffer.items);
    expect(f.buffer.putQueueLength).toBe(m.buffer.putQueueLength);
    expect(f.oil.level).toBe(m.oil.level);
    expect(f.log).toEqual(m.log);
    expect(fork.state.toObject()).toEqual(live.state.toObject());
    expect(f.machine.stats.toJSON()).toEqual(m.machine.stats.toJSON());

    const at = m.log.length;
    const liveTrace = startTrace(live);
    const forkTrace = startTrace(fork);
    live.run({ until: live.now + 200 });
    fork.run({ until: fork.now + 200 });
    expect(f.log.slice(at)).toEqual(m.log.slice(at));
    expect(m.log.length - at).toBeGreaterThan(50);
    expect(forkTrace.lines()).toEqual(liveTrace.lines());
    expect(f.machine.stats.toJSON()).toEqual(m.machine.stats.toJSON());
    expect(f.repair.stats.toJSON()).toEqual(m.repair.stats.toJSON());
  });

  it('diverges after the fork point with another replication', () => {
    const live = busyPlant();
    const m = live.model;
    const at = m.log.length;
    const fork = live.fork({ replication: 1 });
    expect(fork.model.log).toEqual(m.log);
    live.run({ until: live.now + 200 });
    fork.run({ until: fork.now + 200 });
    expect(fork.model.log.slice(0, at)).toEqual(m.log.slice(0, at));
    expect(fork.model.log.slice(at)).not.toEqual(m.log.slice(at));
  });

  it('replays state-vector writes to a container level into the fork', () => {
    const live = busyPlant();
    live.state.set('plant.oil.level', 0);
    live.run({ until: live.now + 3 });
    const fork = live.fork();
    expect(fork.model.oil.level).toBe(live.model.oil.level);
    expect(fork.model.oil.getQueueLength).toBe(live.model.oil.getQueueLength);
    live.run({ until: live.now + 50 });
    fork.run({ until: fork.now + 50 });
    expect(fork.model.log).toEqual(live.model.log);
  });
});
