import { describe, expect, it } from 'vitest';
import { Simulation } from '../simulation';
import { Tally } from './tally';
import { TimeSeries } from './time-series';
import { TimeWeighted } from './time-weighted';

describe('Tally', () => {
  it('matches the two-pass formulas, including for data with a large offset', () => {
    const sim = new Simulation({ seed: 1 });
    const rng = sim.rng('data');
    const data = Array.from({ length: 10_000 }, () => 1e9 + rng.normal(0, 1));
    const tally = new Tally('x');
    for (const x of data) tally.add(x);
    const mean = data.reduce((a, b) => a + b, 0) / data.length;
    const variance = data.reduce((a, b) => a + (b - mean) ** 2, 0) / (data.length - 1);
    expect(tally.count).toBe(10_000);
    expect(Math.abs(tally.mean - mean) / mean).toBeLessThan(1e-14);
    // The naive sum-of-squares formula is off by ~100% at this offset; Welford stays within 1e-7.
    expect(tally.variance / variance).toBeCloseTo(1, 6);
    expect(tally.min).toBe(Math.min(...data));
    expect(tally.max).toBe(Math.max(...data));
  });

  it('says NaN for statistics that need more observations, and resets', () => {
    const tally = new Tally();
    expect(tally.mean).toBeNaN();
    tally.add(3);
    expect(tally.mean).toBe(3);
    expect(tally.variance).toBeNaN();
    tally.reset();
    expect(tally.count).toBe(0);
    expect(() => tally.add(Number.NaN)).toThrow(/Tally.add\(x\): x must be a finite number, got NaN/);
  });
});

describe('TimeWeighted', () => {
  it('averages a piecewise-constant level over time', () => {
    const sim = new Simulation();
    const level = new TimeWeighted(sim, 0, 'queue');
    sim.schedule(2, () => level.update(4)); // 0 for [0,2)
    sim.schedule(5, () => level.update(1)); // 4 for [2,5)
    sim.run({ until: 10 }); // 1 for [5,10)
    expect(level.integral).toBe(0 * 2 + 4 * 3 + 1 * 5);
    expect(level.mean).toBeCloseTo(17 / 10, 15);
    expect(level.max).toBe(4);
    expect(level.min).toBe(0);
    level.reset();
    sim.run({ until: 12 });
    expect(level.mean).toBe(1);
    expect(level.elapsed).toBe(2);
    expect(() => level.update(Number.NaN)).toThrow(/finite/);
  });
});

describe('TimeSeries', () => {
  it('samples at a fixed interval after the events at each sample time', () => {
    const sim = new Simulation();
    sim.state.define('n', { initial: 0 });
    for (let t = 0; t <= 10; t += 2.5) sim.schedule(t, () => sim.state.set('n', t));
    const series = new TimeSeries(sim, { variables: ['n'], interval: 2.5 });
    sim.run({ until: 10 });
    expect(series.times).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(Array.from(series.column('n'))).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(series.toCSV()).toBe('time,n\n0,0\n2.5,2.5\n5,5\n7.5,7.5\n10,10\n');
    expect(series.toJSON()).toEqual({ time: [0, 2.5, 5, 7.5, 10], n: [0, 2.5, 5, 7.5, 10] });
    expect(() => series.column('m')).toThrow(/does not sample that variable/);
  });

  it('keeps at most maxSamples and counts what it dropped', () => {
    const sim = new Simulation();
    sim.state.define('n', { initial: 1 });
    const series = new TimeSeries(sim, { variables: ['n'], interval: 1, maxSamples: 3 });
    sim.run({ until: 9 });
    expect(series.times).toEqual([7, 8, 9]);
    expect(series.dropped).toBe(7);
    series.stop();
    sim.run({ until: 20 });
    expect(series.length).toBe(3);
    expect(() => new TimeSeries(sim, { variables: ['n'], interval: 0 })).toThrow(
      /interval must be a finite number > 0, got 0/,
    );
  });
});

describe('saveState / restoreState', () => {
  it('continues a tally exactly, through JSON, including an empty one', () => {
    const sim = new Simulation({ seed: 2 });
    const rng = sim.rng('data');
    const data = Array.from({ length: 400 }, () => rng.lognormal(1, 0.8));
    const original = new Tally('wait');
    for (const x of data.slice(0, 250)) original.add(x);
    const copy = new Tally('wait');
    copy.restoreState(JSON.parse(JSON.stringify(original.saveState())));
    for (const x of data.slice(250)) {
      original.add(x);
      copy.add(x);
    }
    expect(copy.toJSON()).toEqual(original.toJSON());
    expect(Object.is(copy.variance, original.variance)).toBe(true);
    expect(copy.sum).toBe(original.sum);
    const empty = new Tally();
    const restored = new Tally();
    restored.add(5);
    restored.restoreState(JSON.parse(JSON.stringify(empty.saveState())));
    expect(restored.count).toBe(0);
    expect(restored.min).toBeNaN();
    restored.add(-2);
    expect(restored.min).toBe(-2);
    expect(restored.max).toBe(-2);
  });

  it('continues a time-weighted level exactly on a restored clock, and refuses a state from its future', () => {
    const clock = { now: 0 };
    const original = new TimeWeighted(clock, 2, 'queue');
    const steps: [number, number][] = [
      [0.7, 5],
      [1.9, 1],
      [3.25, 4],
      [6.1, 0],
      [7.4, 3],
    ];
    for (const [t, v] of steps.slice(0, 3)) {
      clock.now = t;
      original.update(v);
    }
    clock.now = 4.5; // saved between updates
    const saved = JSON.parse(JSON.stringify(original.saveState()));
    const restoredClock = { now: 4.5 };
    const copy = new TimeWeighted(restoredClock, 0, 'queue');
    copy.restoreState(saved);
    for (const [t, v] of steps.slice(3)) {
      clock.now = t;
      restoredClock.now = t;
      original.update(v);
      copy.update(v);
    }
    clock.now = restoredClock.now = 9;
    expect(copy.toJSON()).toEqual(original.toJSON());
    expect(copy.integral).toBe(original.integral);
    // By hand: 2·0.7 + 5·1.2 + 1·1.35 + 4·2.85 + 0·1.3 + 3·1.6 = 24.95
    expect(copy.integral).toBeCloseTo(24.95, 12);
    const early = new TimeWeighted({ now: 4 });
    expect(() => early.restoreState(saved)).toThrow(
      "TimeWeighted.restoreState(state): the state must be saved at or before the clock's time 4, got 4.5.",
    );
  });

  it('refuses malformed states, saying what they must be', () => {
    expect(() =>
      new Tally('x').restoreState({ count: 1, mean: 1, sumOfSquares: 0, min: null, max: 1, sum: 1 }),
    ).toThrow(/Tally\(x\)\.restoreState\(state\): state must come from Tally\.saveState\(\)/);
    expect(() =>
      new TimeWeighted({ now: 1 }).restoreState({
        level: 5,
        since: 0,
        start: 0,
        area: 0,
        min: 0,
        max: 4,
        savedAt: 0,
      }),
    ).toThrow(/min <= level <= max/);
  });
});
