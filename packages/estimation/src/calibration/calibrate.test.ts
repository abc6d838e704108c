import { RandomStream, TwinkitError } from '@twinkit/core';
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../../test/support/fixtures';
import { exactLogLikelihood, simulateLocalLevel } from '../../test/support/local-level-reference';
import { mm1 } from '../../test/support/test-models';
import { calibrate } from './calibrate';

const decay =
  (t: readonly number[]) =>
  ({ a, k }: Record<string, number>) =>
    t.map((ti) => a! * Math.exp(-k! * ti));

describe('calibrate: least squares', () => {
  it('recovers the parameters of an exponential decay from exact data to 1e-6', () => {
    const t = Array.from({ length: 12 }, (_, i) => i * 0.5);
    const y = t.map((ti) => 3.7 * Math.exp(-0.42 * ti));
    for (const method of ['levenberg-marquardt', 'nelder-mead'] as const) {
      const fit = calibrate({
        model: decay(t),
        data: y,
        params: { a: [0, 50], k: { initial: 1, low: 0 } },
        method,
      });
      expect(fit.estimates.a).toBeCloseTo(3.7, 6);
      expect(fit.estimates.k).toBeCloseTo(0.42, 6);
      expect(fit.diagnostics.value).toBeLessThan(1e-10);
      expect(fit.diagnostics.method).toBe(method);
    }
  });

  it('fits a straight line as the normal equations do, with the same standard errors', () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const y = [1.1, 2.9, 5.2, 7.1, 8.8, 11.2, 13.1, 14.8, 17.2, 19.1];
    const fit = calibrate({
      model: ({ b0, b1 }) => x.map((xi) => b0! + b1! * xi),
      data: y,
      params: { b0: { initial: 0 }, b1: { initial: 0 } },
    });
    // Normal equations: β = (XᵀX)⁻¹ Xᵀy, Cov = s² (XᵀX)⁻¹ with s² = RSS/(n − 2).
    const X = new Matrix(x.map((xi) => [1, xi]));
    const XtX = X.transpose().mmul(X);
    const beta = solve(XtX, X.transpose().mmul(Matrix.columnVector(y)));
    const residuals = y.map((yi, i) => yi - beta.get(0, 0) - beta.get(1, 0) * x[i]!);
    const s2 = residuals.reduce((s, r) => s + r * r, 0) / (x.length - 2);
    const cov = solve(XtX, Matrix.eye(2)).mul(s2);
    expect(fit.estimates.b0).toBeCloseTo(beta.get(0, 0), 8);
    expect(fit.estimates.b1).toBeCloseTo(beta.get(1, 0), 8);
    expect(fit.standardErrors.b0! / Math.sqrt(cov.get(0, 0))).toBeCloseTo(1, 4);
    expect(fit.standardErrors.b1! / Math.sqrt(cov.get(1, 1))).toBeCloseTo(1, 4);
    expect(fit.covariance![0]![1]! / cov.get(0, 1)).toBeCloseTo(1, 3);
    expect(fit.diagnostics.residualVariance).toBeCloseTo(s2, 8);
    expect(fit.diagnostics.residuals).toHaveLength(10);
    expect(fit.diagnostics.converged).toBe(true);
  });

  it('95% intervals cover the true parameters in 90-99% of 200 data sets', () => {
    const t = Array.from({ length: 15 }, (_, i) => i * 0.4);
    const truth = { a: 5, k: 0.6 };
    const mean = decay(t)(truth);
    let coverA = 0;
    let coverK = 0;
    const seeds = 200;
    for (let seed = 0; seed < seeds; seed++) {
      const rng = new RandomStream({ seed, name: 'noise', replication: 0, forkPath: '' });
      const y = mean.map((m) => m + rng.normal(0, 0.25));
      const fit = calibrate({
        model: decay(t),
        data: y,
        params: { a: [0, 50], k: [0, 5] },
        maxIterations: 60,
      });
      expect(fit.diagnostics.converged).toBe(true);
      if (fit.intervals.a!.lower <= truth.a && truth.a <= fit.intervals.a!.upper) coverA++;
      if (fit.intervals.k!.lower <= truth.k && truth.k <= fit.intervals.k!.upper) coverK++;
    }
    expect(coverA / seeds).toBeGreaterThanOrEqual(0.9);
    expect(coverA / seeds).toBeLessThanOrEqual(0.99);
    expect(coverK / seeds).toBeGreaterThanOrEqual(0.9);
    expect(coverK / seeds).toBeLessThanOrEqual(0.99);
  }, 30_000);

  it('gives a parametric bootstrap interval close to the Hessian one on a well-identified fit', () => {
    const t = Array.from({ length: 15 }, (_, i) => i * 0.4);
    const rng = new RandomStream({ seed: 3, name: 'noise', replication: 0, forkPath: '' });
    const y = decay(t)({ a: 5, k: 0.6 }).map((m) => m + rng.normal(0, 0.25));
    const options = { model: decay(t), data: y, params: { a: [0, 50], k: [0, 5] } as const, seed: 1 };
    const hessian = calibrate(options);
    const boot = calibrate({ ...options, uncertainty: 'bootstrap', bootstrap: 100, maxIterations: 60 });
    expect(boot.uncertainty).toBe('bootstrap');
    expect(boot.bootstrapSamples!.k).toHaveLength(100);
    expect(boot.estimates.k).toBe(hessian.estimates.k);
    expect(boot.standardErrors.k! / hessian.standardErrors.k!).toBeGreaterThan(0.7);
    expect(boot.standardErrors.k! / hessian.standardErrors.k!).toBeLessThan(1.4);
    expect(calibrate({ ...options, uncertainty: 'bootstrap', bootstrap: 100, maxIterations: 60 })).toEqual(
      boot,
    );
  });

  it('Levenberg-Marquardt and Nelder-Mead agree with sigma far from 1 and a start far from the fit', () => {
    const t = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const y = [10.08, 6.21, 3.62, 2.46, 1.23, 0.91, 0.58, 0.06, 0.33, 0.21];
    const options = {
      model: decay(t),
      data: y,
      sigma: 0.2,
      params: { a: [0, 100], k: { initial: 1, low: 0 } },
    } as const;
    const lm = calibrate(options);
    const nm = calibrate({ ...options, method: 'nelder-mead' });
    expect(lm.diagnostics.converged).toBe(true);
    expect(nm.diagnostics.converged).toBe(true);
    expect(lm.estimates.a).toBeCloseTo(nm.estimates.a!, 5);
    expect(lm.estimates.k).toBeCloseTo(nm.estimates.k!, 6);
    expect(lm.diagnostics.value).toBeCloseTo(nm.diagnostics.value, 6);
  });

  it('uses known sigma for the covariance (2·H⁻¹, normal quantile)', () => {
    const x = [0, 1, 2, 3, 4, 5];
    const y = [0.1, 1.2, 1.9, 3.1, 4.2, 4.9];
    const fit = calibrate({
      model: ({ b }) => x.map((xi) => b! * xi),
      data: y,
      sigma: 0.5,
      params: { b: { initial: 1 } },
    });
    // b̂ = Σxy/Σx², Var = σ²/Σx².
    const sxx = x.reduce((s, v) => s + v * v, 0);
    expect(fit.estimates.b).toBeCloseTo(x.reduce((s, v, i) => s + v * y[i]!, 0) / sxx, 6);
    expect(fit.standardErrors.b! / (0.5 / Math.sqrt(sxx))).toBeCloseTo(1, 4);
    expect((fit.intervals.b!.upper - fit.estimates.b!) / fit.standardErrors.b!).toBeCloseTo(1.959964, 5);
  });
});

interface LocalLevelFixture {
  generated: { P0: number };
  data: number[];
  mle: { q: number; r: number; logLikelihood: number };
}

describe('calibrate: maximum likelihood of a state-space model', () => {
  const fixture = readJsonFixture<LocalLevelFixture>('local-level/local_level_mle.json');
  const { P0 } = fixture.generated;
  const localLevel = ({ q, r }: Record<string, number>) => ({
    x0: [0],
    P0: [[P0]],
    F: [[1]],
    Q: [[q!]],
    H: [[1]],
    R: [[r!]],
  });

  it('matches the exact Gaussian likelihood of the fixture (full covariance matrix) at the Kalman filter MLE', () => {
    const fit = calibrate({ stateSpace: localLevel, data: fixture.data, params: { q: [0, 10], r: [0, 10] } });
    expect(fit.diagnostics.objective).toBe('likelihood');
    expect(fit.diagnostics.converged).toBe(true);
    expect(fit.estimates.q).toBeCloseTo(fixture.mle.q, 6);
    expect(fit.estimates.r).toBeCloseTo(fixture.mle.r, 6);
    expect(fit.diagnostics.logLikelihood).toBeCloseTo(fixture.mle.logLikelihood, 8);
    // The Kalman filter's prediction-error decomposition and the direct density agree at any point.
    expect(-fit.diagnostics.value).toBeCloseTo(
      exactLogLikelihood(fixture.data, fit.estimates.q!, fit.estimates.r!, P0),
      8,
    );
    // Standard errors from the inverse observed information: finite, positive, and the interval covers the truth used to simulate.
    expect(fit.standardErrors.q).toBeGreaterThan(0);
    expect(fit.intervals.r!.lower).toBeLessThan(1);
    expect(fit.intervals.r!.upper).toBeGreaterThan(1);
    expect(fit.diagnostics.aic).toBeCloseTo(4 - 2 * fixture.mle.logLikelihood, 6);
  });

  it('inverse-information intervals cover the true variances over 200 simulated series', () => {
    let coverQ = 0;
    let coverR = 0;
    const seeds = 200;
    for (let seed = 0; seed < seeds; seed++) {
      const y = simulateLocalLevel(100, 0.5, 1, P0, 1000 + seed);
      const fit = calibrate({ stateSpace: localLevel, data: y, params: { q: [0, 10], r: [0, 10] } });
      expect(fit.diagnostics.converged).toBe(true);
      if (fit.intervals.q!.lower <= 0.5 && 0.5 <= fit.intervals.q!.upper) coverQ++;
      if (fit.intervals.r!.lower <= 1 && 1 <= fit.intervals.r!.upper) coverR++;
    }
    // Observed with these seeds: q 89.5%, r 94.5%. A Wald interval of a variance (symmetric, on the
    // natural scale, as statsmodels reports it) undercovers somewhat at n = 100: the MLE of q is skewed.
    expect(coverR / seeds).toBeGreaterThanOrEqual(0.9);
    expect(coverR / seeds).toBeLessThanOrEqual(0.99);
    expect(coverQ / seeds).toBeGreaterThanOrEqual(0.85);
    expect(coverQ / seeds).toBeLessThanOrEqual(0.99);
  }, 30_000);

  it('skips missing observations and the burn-in, and bootstraps from the fitted model', () => {
    const data: (number | null)[] = fixture.data.slice(0, 60);
    data[10] = null;
    data[11] = null;
    const fit = calibrate({
      stateSpace: localLevel,
      data,
      burn: 1,
      params: { q: [0, 10], r: [0, 10] },
      uncertainty: 'bootstrap',
      bootstrap: 20,
      seed: 5,
    });
    expect(fit.diagnostics.observations).toBe(57);
    expect(fit.bootstrapSamples!.q!.every((v) => v > 0 && v < 10)).toBe(true);
    expect(Number.isFinite(fit.standardErrors.r)).toBe(true);
  });
});

describe('calibrate: simulated objective with common random numbers', () => {
  it('recovers the arrival rate of an M/M/1 queue from its mean wait (Wq = λ/(μ(μ − λ)))', () => {
    const options = {
      model: mm1,
      objective: 'simulated' as const,
      data: { meanWait: 1 }, // λ = 0.5 with μ = 1
      scales: { meanWait: 0.05 },
      outputs: (sim: { model: { waits: { mean: number } } }) => ({ meanWait: sim.model.waits.mean }),
      fixedParams: { serviceRate: 1, customers: 500, stationaryStart: true },
      params: { arrivalRate: [0.1, 0.9] as const },
      replications: 20,
      seed: 11,
    };
    const fit = calibrate(options);
    expect(fit.estimates.arrivalRate).toBeGreaterThan(0.46);
    expect(fit.estimates.arrivalRate).toBeLessThan(0.54);
    expect(fit.diagnostics.value).toBeLessThan(1e-6);
    expect(fit.standardErrors.arrivalRate).toBeGreaterThan(0);
    // Common random numbers: the same seed gives the same surface, so the same fit.
    expect(calibrate(options).estimates).toEqual(fit.estimates);
  }, 30_000);
});

describe('calibrate: careless input', () => {
  const t = [0, 1, 2, 3];
  const y = [1, 0.6, 0.4, 0.2];
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(TwinkitError);
      return (error as Error).message;
    }
    throw new Error('did not throw');
  };
  it('names the API, the rule, the value and a remedy', () => {
    expect(message(() => calibrate({ model: decay(t), data: y, params: { k: [5, 1] } }))).toBe(
      'calibrate(options): params.k: low must be below high, got [5,1]. Pass e.g. params: { rate: [0, 5] } or { rate: { initial: 1, low: 0 } }.',
    );
    expect(
      message(() => calibrate({ model: decay(t), data: y, params: { k: { initial: 9, low: 0, high: 5 } } })),
    ).toMatch(/params\.k: initial must lie strictly inside \(0, 5\)/);
    expect(
      message(() => calibrate({ model: decay(t), data: y, params: { k: [0, 5] }, methd: 'x' } as never)),
    ).toMatch(/calibrate\(options\).*methd/);
    expect(
      message(() =>
        calibrate({ model: decay(t), data: y, params: { a: [0, 5], k: [0, 5] }, method: 'simplex' as never }),
      ),
    ).toMatch(/method must be 'levenberg-marquardt' or 'nelder-mead', got "simplex"/);
    expect(message(() => calibrate({ model: () => [1, 2], data: y, params: { k: [0, 5] } }))).toMatch(
      /model\(params\) must return 4 predictions/,
    );
    expect(message(() => calibrate({ data: y, params: { k: [0, 5] } } as never))).toMatch(
      /need a model or a stateSpace/,
    );
    expect(
      message(() =>
        calibrate({
          stateSpace: () => ({ x0: [0], P0: [[1]], F: [[1]], Q: [[1]], H: [[1]], R: [[1]] }),
          data: y,
          params: { q: [0, 1] },
          method: 'levenberg-marquardt',
        }),
      ),
    ).toMatch(/'levenberg-marquardt' fits least squares only/);
    expect(
      message(() => calibrate({ model: decay(t), data: [1, Number.NaN, 2, 3], params: { k: [0, 5] } })),
    ).toMatch(/data\[1\] must be a finite number/);
    expect(
      message(() =>
        calibrate({ model: decay(t), data: y, params: { k: { low: 0, high: Infinity, initial: 1 }, z: {} } }),
      ),
    ).toMatch(/params\.z needs an initial value or two finite bounds/);
  });

  it('reports a parameter on its bound as not converged, with NaN standard errors', () => {
    // The best slope is far beyond the upper bound: the estimate runs into it.
    const fit = calibrate({
      model: ({ b }) => t.map((ti) => b! * ti),
      data: [0, 10, 20, 30],
      params: { b: [0, 1] },
      method: 'nelder-mead',
    });
    expect(fit.diagnostics.converged).toBe(false);
    expect(fit.diagnostics.message).toMatch(/on a bound/);
    expect(fit.standardErrors.b).toBeNaN();
  });
});
