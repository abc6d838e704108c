import { Simulation, TwinkitError } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { Container } from './container';

describe('Container', () => {
  it('makes gets wait for the level and puts wait for room, first come first served', () => {
    const sim = new Simulation();
    const tank = new Container(sim, { capacity: 10, initial: 5 });
    const log: string[] = [];
    sim.process(function* () {
      yield tank.get(8);
      log.push(`${sim.now} got 8`);
    });
    sim.process(function* () {
      yield sim.timeout(1);
      yield tank.get(1); // behind the 8: does not overtake although 5 are there
      log.push(`${sim.now} got 1`);
    });
    sim.process(function* () {
      yield sim.timeout(2);
      yield tank.put(4); // 9: serves the 8, then the 1
      log.push(`${sim.now} put 4`);
      yield tank.put(9); // 9
      log.push(`${sim.now} put 9`);
      yield tank.put(5); // waits for room
      log.push(`${sim.now} put 5`);
    });
    sim.process(function* () {
      yield sim.timeout(5);
      yield tank.get(4);
      log.push(`${sim.now} got 4`);
    });
    sim.run();
    expect(log).toEqual(['2 put 4', '2 got 8', '2 got 1', '2 put 9', '5 got 4', '5 put 5']);
    expect(tank.level).toBe(10);
    expect(tank.stats.arrivals).toBe(3);
    expect(tank.stats.departures).toBe(3);
    expect(tank.stats.puts).toBe(3);
    expect(tank.stats.waitingTime.sum).toBe(2 + 1 + 0);
    expect(tank.stats.putWaitingTime.sum).toBe(0 + 0 + 3);
  });

  it('keeps the time-weighted level and utilization', () => {
    const sim = new Simulation();
    const tank = new Container(sim, { capacity: 100, initial: 50 });
    sim.process(function* () {
      yield sim.timeout(5);
      yield tank.put(50);
      yield sim.timeout(5);
      yield tank.get(100);
    });
    sim.run({ until: 20 });
    // 50 for 5, 100 for 5, 0 for 10
    expect(tank.stats.inUse.mean).toBeCloseTo((250 + 500) / 20, 12);
    expect(tank.stats.utilization).toBeCloseTo(750 / 20 / 100, 12);
  });

  it('rejects bad capacities, initial levels and amounts, leaving the level as it was', () => {
    const sim = new Simulation();
    expect(() => new Container(sim, { capacity: 0 })).toThrow(TwinkitError);
    expect(() => new Container(sim, { capacity: -5 })).toThrow(/capacity must be a number > 0/);
    expect(() => new Container(sim, { capacity: 10, initial: 11 })).toThrow(/within \[0, capacity = 10\]/);
    expect(() => new Container(sim, { initial: -1 })).toThrow(TwinkitError);
    const tank = new Container(sim, { capacity: 10, initial: 5 });
    expect(() => tank.put(-1)).toThrow('Container.put(amount): amount must be a finite number > 0, got -1.');
    expect(() => tank.get(0)).toThrow(/amount must be a finite number > 0, got 0/);
    expect(() => tank.get(Number.NaN)).toThrow(TwinkitError);
    expect(() => tank.put(11)).toThrow(/must not exceed the capacity 10/);
    expect(() => tank.setLevel(12)).toThrow(TwinkitError);
    expect(tank.level).toBe(5);
    expect(tank.getQueueLength + tank.putQueueLength).toBe(0);
    expect(tank.stats.arrivals + tank.stats.puts).toBe(0);
  });

  it('lets a waiting get renege, which unblocks smaller gets behind it', () => {
    const sim = new Simulation();
    const tank = new Container(sim, { capacity: 10, initial: 2 });
    const log: string[] = [];
    sim.process(function* () {
      const big = tank.get(5);
      const result = yield sim.anyOf([big, sim.timeout(3)]);
      if (!result.has(big)) log.push(`${sim.now} ${big.cancel()}`);
    });
    sim.process(function* () {
      yield sim.timeout(1);
      yield tank.get(2);
      log.push(`${sim.now} small served`);
    });
    sim.run();
    expect(log).toEqual(['3 withdrawn', '3 small served']);
    expect(tank.stats.reneges).toBe(1);
  });

  it('registers a writable level: a write sets it and serves waiting gets', () => {
    const sim = new Simulation();
    const tank = new Container(sim, { capacity: 100, initial: 0, name: 'station.tank' });
    const log: string[] = [];
    sim.process(function* () {
      yield tank.get(30);
      log.push(`${sim.now} got 30`);
    });
    sim.run({ until: 4 });
    expect(sim.state.get('station.tank.queueLength')).toBe(1);
    sim.state.set('station.tank.level', 80);
    sim.run({ until: 5 });
    expect(log).toEqual(['4 got 30']);
    expect(sim.state.get('station.tank.level')).toBe(50);
    expect(() => sim.state.set('station.tank.level', 101)).toThrow(/within \[0, capacity = 100\]/);
    expect(() => sim.state.set('station.tank.queueLength', 1)).toThrow(/read-only/);
  });

  it('balks a put when the put line is full', () => {
    const sim = new Simulation();
    const tank = new Container(sim, { capacity: 1, initial: 1, queueCapacity: 0 });
    const put = tank.put(1);
    expect(put.balked).toBe(true);
    expect(tank.stats.balks).toBe(1);
    sim.run();
    expect(tank.level).toBe(1);
  });
});
