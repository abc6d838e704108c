import { defineModel, TwinkitError } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { arrivals, mm1, unexported } from '../../test/support/test-models';
import { confidenceInterval } from '../confidence-interval/confidence-interval';
import { compareScenarios } from './compare-scenarios';
import { runReplications } from './run-replications';

const rho = 0.5;
const base = { arrivalRate: rho, serviceRate: 1, customers: 200, stationaryStart: true };
// M/M/1 mean wait in queue: Wq = ρ / (μ − λ).
const theoreticalWait = rho / (1 - rho);
const outputs = (sim: { model: { waits: { mean: number } } }) => ({ meanWait: sim.model.waits.mean });

describe('runReplications', () => {
  it('reports mean, sd, a t interval and raw values; replication i uses substream i', async () => {
    const progress: number[] = [];
    const results = await runReplications(mm1, {
      replications: 8,
      seed: 11,
      params: base,
      outputs,
      onProgress: (p) => progress.push(p.completed),
    });
    const wait = results.outputs['meanWait']!;
    expect(wait.values).toHaveLength(8);
    expect(wait).toMatchObject(confidenceInterval(wait.values));
    expect(progress.at(-1)).toBe(8);
    const third = mm1.create({ seed: 11, replication: 3, params: base });
    third.run();
    expect(wait.values[3]).toBe(third.model.waits.mean);
    expect(new Set(wait.values).size).toBe(8);
  });

  it('gives identical results with 1 and 2 worker threads', async () => {
    const options = { replications: 12, seed: 5, params: base, outputs, blockSize: 2 };
    const one = await runReplications(mm1, options);
    const two = await runReplications(mm1, { ...options, workers: 2 });
    expect(two).toEqual(one);
  });

  it('covers the theoretical M/M/1 mean wait in 95% ± 3% of 500 macro-replications', {
    timeout: 180_000,
  }, async () => {
    // 500 macro-replications of 10 replications each; replications are independent substreams.
    // Each replication averages the waits of 1000 customers from a stationary start: the replication
    // means are unbiased and nearly normal (with 200 customers their skewness, ~1.5, makes a 10-value
    // t interval cover only ~92%; that is the t interval's normality assumption, not a bias).
    const macro = 500;
    const perMacro = 10;
    const results = await runReplications(mm1, {
      replications: macro * perMacro,
      seed: 2026,
      params: { ...base, customers: 1000 },
      outputs,
      workers: 2,
    });
    const values = results.outputs['meanWait']!.values;
    let covered = 0;
    for (let m = 0; m < macro; m++) {
      const ci = confidenceInterval(values.slice(m * perMacro, (m + 1) * perMacro));
      if (ci.lower <= theoreticalWait && theoreticalWait <= ci.upper) covered++;
    }
    const coverage = covered / macro;
    expect(coverage).toBeGreaterThanOrEqual(0.92);
    expect(coverage).toBeLessThanOrEqual(0.98);
    // And the grand mean is unbiased (stationary start): within 4 standard errors of Wq.
    const all = confidenceInterval(values);
    expect(Math.abs(all.mean - theoreticalWait)).toBeLessThan(4 * all.standardError);
  });

  it('stops when the relative precision is reached, identically with workers', async () => {
    const options = {
      replications: 400,
      seed: 9,
      params: base,
      outputs,
      stopping: { output: 'meanWait', relativePrecision: 0.1, minReplications: 10 },
    };
    const one = await runReplications(mm1, options);
    expect(one.stoppedBy).toBe('precision');
    expect(one.replications).toBeLessThan(400);
    const wait = one.outputs['meanWait']!;
    expect(wait.relativeHalfWidth).toBeLessThanOrEqual(0.1 / 1.1);
    // One replication fewer was not precise enough.
    expect(confidenceInterval(wait.values.slice(0, -1)).relativeHalfWidth).toBeGreaterThan(0.1 / 1.1);
    const two = await runReplications(mm1, { ...options, workers: 2 });
    expect(two).toEqual(one);
    const capped = await runReplications(mm1, {
      ...options,
      replications: 12,
      stopping: { ...options.stopping, relativePrecision: 0.001 },
    });
    expect(capped.stoppedBy).toBe('cap');
    expect(capped.replications).toBe(12);
  });

  it('calls onWarmupEnd at the warm-up time so that statistics restart', async () => {
    const results = await runReplications(mm1, {
      replications: 3,
      params: { ...base, customers: 400 },
      warmup: 100,
      onWarmupEnd: (sim) => sim.model.waits.reset(),
      outputs: (sim) => ({ recorded: sim.model.waits.count }),
    });
    const plain = await runReplications(mm1, {
      replications: 3,
      params: { ...base, customers: 400 },
      outputs: (sim) => ({ recorded: sim.model.waits.count }),
    });
    for (let i = 0; i < 3; i++) {
      expect(results.outputs['recorded']!.values[i]).toBeLessThan(plain.outputs['recorded']!.values[i]!);
    }
  });

  it('refuses fewer than two replications and says why', async () => {
    await expect(runReplications(mm1, { replications: 1, params: base, outputs })).rejects.toThrow(
      /fewer than two replications cannot give a confidence interval/,
    );
  });

  it('needs a module and export name for worker threads', async () => {
    await expect(
      runReplications(unexported, { replications: 2, outputs: () => ({ x: 1 }), workers: 2 }),
    ).rejects.toThrow(/with workers > 1 the model must be defined with its export name and module URL/);
  });

  it('refuses an experiment started by a worker importing the model module, saying how to fix it', async () => {
    // The module exports the model and also runs an experiment at import time (top-level await).
    const selfRunning = defineModel(() => ({ value: 1 }), {
      name: 'selfRunning',
      module: new URL('../../test/support/self-running-model.ts', import.meta.url).href,
    });
    await expect(
      runReplications(selfRunning, {
        replications: 2,
        outputs: (sim) => ({ value: sim.model.value }),
        workers: 2,
      }),
    ).rejects.toThrow(/called while a worker thread imported the model's module.*isMainThread/);
  });

  it('rejects non-finite outputs naming the replication and output', async () => {
    const error = await runReplications(mm1, {
      replications: 2,
      params: { ...base, customers: 0 },
      outputs,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwinkitError);
    expect((error as Error).message).toMatch(
      /output 'meanWait' of replication 0 must be a finite number, got NaN/,
    );
  });
});

/** A Poisson counter (rate 2) run to `until`, its snapshot, and what the snapshot fixes. */
function arrivalsAt(seed: number, until: number) {
  const live = arrivals.create({ seed, params: { rate: 2 } });
  live.run({ until });
  const { count, next } = live.model;
  return { live, from: live.snapshot(), count, next };
}

describe('runReplications from a snapshot', () => {
  it('runs possible futures of a saved state: fresh draws after what the state fixes (theory), any workers', async () => {
    const { live, from, count, next } = arrivalsAt(3, 10.3);
    const horizon = 5;
    const options = {
      from,
      replications: 400,
      until: from.time + horizon,
      outputs: (sim: { model: { count: number } }) => ({ count: sim.model.count }),
    };
    const results = await runReplications(arrivals, options);
    // The next arrival is already drawn (due at `next`); after it, a Poisson process of rate 2:
    // arrivals in the horizon = 1 + Poisson(2 (horizon − (next − now))).
    const residual = next! - from.time;
    const expected = count + 1 + 2 * (horizon - residual);
    const added = results.outputs['count']!;
    const standardError = Math.sqrt((2 * (horizon - residual)) / 400);
    expect(Math.abs(added.mean - expected)).toBeLessThan(3.3 * standardError);
    expect(added.sd ** 2).toBeGreaterThan(0.7 * 2 * (horizon - residual));
    expect(added.sd ** 2).toBeLessThan(1.3 * 2 * (horizon - residual));
    expect(Math.min(...added.values)).toBeGreaterThanOrEqual(count + 1);
    expect(results.seed).toBe(3);
    // Replication 0 (the snapshot's own) continues the saved streams: the live run's future.
    live.run({ until: from.time + horizon });
    expect(added.values[0]).toBe(live.model.count);
    // Replication i is restore(from, { replication: i }), on this thread or on workers.
    const fifth = arrivals.restore(from, { replication: 5 });
    fifth.run({ until: from.time + horizon });
    expect(added.values[5]).toBe(fifth.model.count);
    const pooled = await runReplications(arrivals, { ...options, replications: 12, workers: 2 });
    expect(pooled.outputs['count']!.values).toEqual(added.values.slice(0, 12));
  });

  it('refuses a model without hooks, a seed beside the snapshot, and times before it', async () => {
    const live = arrivals.create({ seed: 1, params: { rate: 1 } });
    live.run({ until: 4 });
    const from = live.snapshot();
    const options = { from, replications: 2, outputs: () => ({ x: 1 }) };
    await expect(runReplications(mm1, options as never)).rejects.toThrow(
      'runReplications(model, options): from needs a model definition with snapshot hooks, got "mm1"',
    );
    await expect(runReplications(arrivals, { ...options, seed: 4 })).rejects.toThrow(
      /seed must be omitted with from/,
    );
    await expect(runReplications(arrivals, { ...options, until: 3 })).rejects.toThrow(
      "runReplications(model, options): until must not be before the snapshot's time 4: times are on the snapshot's clock, got 3",
    );
  });
});

describe('compareScenarios from a snapshot', () => {
  it('compares parameter sets from the same present state (theory), with common random numbers', async () => {
    const { from, count, next } = arrivalsAt(5, 7.7);
    const horizon = 4;
    const study = await compareScenarios(arrivals, {
      from,
      scenarios: { now: { rate: 2 }, busier: { rate: 3 } },
      replications: 300,
      until: from.time + horizon,
      outputs: (sim) => ({ count: sim.model.count }),
    });
    // Both scenarios keep the arrival already due at `next`; after it, Poisson at their own rate.
    const span = horizon - (next! - from.time);
    for (const [name, rate] of [
      ['now', 2],
      ['busier', 3],
    ] as const) {
      const o = study.scenarios[name]!.outputs['count']!;
      expect(Math.abs(o.mean - (count + 1 + rate * span))).toBeLessThan(3.3 * Math.sqrt((rate * span) / 300));
      expect(Math.min(...o.values)).toBeGreaterThanOrEqual(count + 1);
    }
    const difference = study.outputs['count']!.comparisons[0]!;
    expect(difference.method).toBe('paired');
    expect(difference.upper).toBeLessThan(0); // now − busier
    await expect(
      compareScenarios(arrivals, {
        ...{ from, scenarios: { a: { rate: 1 }, b: { rate: 2 } } },
        replications: 2,
        outputs: (sim) => ({ c: sim.model.count }),
        commonRandomNumbers: false,
      }),
    ).rejects.toThrow(/from needs common random numbers/);
  });
});

describe('compareScenarios', () => {
  const scenarios = {
    slow: { ...base, serviceRate: 1 },
    fast: { ...base, serviceRate: 1.1 },
  };

  it('narrows the interval of a difference with common random numbers', async () => {
    const options = { scenarios, replications: 30, seed: 3, outputs };
    const crn = await compareScenarios(mm1, options);
    const independent = await compareScenarios(mm1, { ...options, commonRandomNumbers: false });
    const paired = crn.outputs['meanWait']!.comparisons[0]!;
    const welch = independent.outputs['meanWait']!.comparisons[0]!;
    expect(paired.method).toBe('paired');
    expect(welch.method).toBe('welch');
    expect(paired.halfWidth).toBeLessThan(welch.halfWidth / 1.5);
    const reduction = crn.outputs['meanWait']!.varianceReduction['slow−fast']!;
    expect(reduction.reduction).toBeGreaterThan(0.5);
    expect(reduction.correlation).toBeGreaterThan(0.5);
    // Theory: the faster server waits less (Wq = λ/(μ(μ − λ))): 1 vs 0.758.
    expect(paired.lower).toBeGreaterThan(0);
  });

  it('reports no variance reduction (null) for an output constant in both scenarios, instead of failing', async () => {
    const study = await compareScenarios(mm1, {
      scenarios,
      replications: 4,
      seed: 5,
      outputs: (sim) => ({ meanWait: sim.model.waits.mean, servers: 1 }),
    });
    expect(study.outputs['servers']!.varianceReduction['slow−fast']).toBeNull();
    expect(study.outputs['servers']!.comparisons[0]!.halfWidth).toBe(0);
    expect(study.outputs['meanWait']!.varianceReduction['slow−fast']).not.toBeNull();
  });

  it('runs every scenario on one pool of worker threads, with the results of this thread', async () => {
    const options = {
      scenarios: { ...scenarios, faster: { ...base, serviceRate: 1.3 } },
      replications: 6,
      seed: 8,
      outputs,
    };
    const here = await compareScenarios(mm1, options);
    const pooled = await compareScenarios(mm1, { ...options, workers: 2 });
    expect(JSON.stringify(pooled)).toBe(JSON.stringify(here));
    // The scenarios differ (each ran its own parameters on the shared threads).
    const means = Object.values(pooled.scenarios).map((r) => r.outputs['meanWait']!.mean);
    expect(new Set(means).size).toBe(3);
  });

  it('uses Bonferroni for more than two scenarios', async () => {
    const study = await compareScenarios(mm1, {
      scenarios: { ...scenarios, faster: { ...base, serviceRate: 1.3 } },
      replications: 5,
      seed: 4,
      outputs,
    });
    expect(study.outputs['meanWait']!.comparisons).toHaveLength(3);
    expect(study.outputs['meanWait']!.perComparisonConfidence).toBeCloseTo(1 - 0.05 / 3, 15);
  });
});

describe('isTypeScriptModule', () => {
  it('judges the path of the module URL, not its query string', async () => {
    const { isTypeScriptModule } = await import('./replication-task');
    expect(isTypeScriptModule('file:///a/model.ts')).toBe(true);
    expect(isTypeScriptModule('file:///a/model.ts?namespace=123')).toBe(true);
    expect(isTypeScriptModule('file:///a/model.mts#x')).toBe(true);
    expect(isTypeScriptModule('file:///a/model.js?v=model.ts')).toBe(false);
    expect(isTypeScriptModule('/a/model.cts')).toBe(true);
  });
});
