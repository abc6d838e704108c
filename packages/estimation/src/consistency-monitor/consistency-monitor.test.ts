import { describe, expect, it } from 'vitest';
import { cv, testStream } from '../../test/support/cv1d';
import { compareAll } from '../../test/support/fixtures';
import { KalmanFilter } from '../kalman-filter/kalman-filter';
import { ConsistencyMonitor, chiSquareBand } from './consistency-monitor';

describe('chiSquareBand', () => {
  // For an even number of degrees of freedom 2j the chi-square CDF has the closed form
  // P(X <= x) = 1 − e^(−x/2) Σ_{k<j} (x/2)^k / k!  (a Poisson tail), independent of jstat.
  function chiSquareCdfEven(x: number, dof: number): number {
    let term = 1;
    let sum = 0;
    for (let k = 0; k < dof / 2; k++) {
      if (k > 0) term *= x / 2 / k;
      sum += term;
    }
    return 1 - Math.exp(-x / 2) * sum;
  }

  it('puts 2.5% of the chi-square mass below and above the 95% band (closed form, even dof)', () => {
    const errors: string[] = [];
    for (const [dof, samples] of [
      [1, 20],
      [2, 5],
      [2, 50],
    ] as const) {
      const band = chiSquareBand(dof, samples, 0.95);
      compareAll(errors, `dof ${dof} x ${samples}`, [
        ['P(lower)', chiSquareCdfEven(band.lower * samples, dof * samples), 0.025],
        ['P(upper)', chiSquareCdfEven(band.upper * samples, dof * samples), 0.975],
      ]);
    }
    expect(errors).toEqual([]);
  });
});

/** Simulates the constant-velocity truth and runs a filter whose R is scaled by `rScale`. */
function runMonitor(rScale: number, seed: number, steps = 400) {
  const rng = testStream('consistency', seed);
  const kf = new KalmanFilter({
    x0: [0, 1],
    P0: cv.P0,
    F: cv.F,
    Q: cv.Q,
    H: cv.H,
    R: [[cv.R[0]![0]! * rScale]],
  });
  const monitor = new ConsistencyMonitor({ window: 25 });
  let pos = 0;
  let vel = 1;
  const states: string[] = [];
  const dt = cv.dt;
  for (let k = 0; k < steps; k++) {
    const a = rng.normal(0, 1);
    pos += vel * dt + (dt * dt * a) / 2;
    vel += dt * a;
    kf.predict();
    const z = pos + rng.normal(0, Math.sqrt(cv.R[0]![0]!));
    const status = monitor.observe(kf.update(k % 10 === 9 ? null : [z]));
    if (k % 10 !== 9) states.push(status.state);
  }
  return { states, monitor };
}

describe('ConsistencyMonitor', () => {
  it('stays quiet (about 5% of windows out of band) for a filter that matches the truth model', () => {
    const { states, monitor } = runMonitor(1, 1);
    expect(states.slice(0, 20).every((s) => s === 'warming-up')).toBe(true);
    const judged = states.filter((s) => s !== 'warming-up');
    const out = judged.filter((s) => s !== 'consistent').length / judged.length;
    expect(out).toBeLessThan(0.2);
    expect(monitor.alerts).toBe(judged.filter((s) => s !== 'consistent').length);
  });

  it("flags 'too-large' when the filter trusts its sensor 10x too much, 'too-small' when 10x too little", () => {
    const over = runMonitor(0.1, 2).states.filter((s) => s !== 'warming-up');
    expect(over.filter((s) => s === 'too-large').length / over.length).toBeGreaterThan(0.9);
    const under = runMonitor(10, 3).states.filter((s) => s !== 'warming-up');
    expect(under.filter((s) => s === 'too-small').length / under.length).toBeGreaterThan(0.9);
  });

  it('rejects a result without NIS', () => {
    expect(() => new ConsistencyMonitor().observe({ kind: 'measurement' })).toThrow(/finite nis/);
  });
});
