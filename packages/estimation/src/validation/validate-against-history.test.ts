import { TwinkitError } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { mm1 } from '../../test/support/test-models';
import { validateAgainstHistory } from './validate-against-history';

// An M/M/1 queue with λ = 0.5, μ = 1 from a stationary start: the formula values are the history.
const lambda = 0.5;
const mu = 1;
const rho = lambda / mu;
const Wq = rho / (mu - lambda); // mean wait in queue: 1
const Lq = (rho * rho) / (1 - rho); // mean number waiting: 0.5 = λ·Wq (Little)
const common = {
  model: mm1,
  params: { arrivalRate: lambda, serviceRate: mu, customers: 2000, stationaryStart: true },
  kpis: (sim: { now: number; model: { waits: { mean: number; count: number; sum: number } } }) => ({
    meanWait: sim.model.waits.mean,
    meanQueue: sim.model.waits.sum / sim.now,
    served: sim.model.waits.count,
  }),
  replications: 20,
  seed: 3,
};

describe('validateAgainstHistory', () => {
  it('passes a queue model against the M/M/1 formulas, within ±10%', async () => {
    const report = await validateAgainstHistory({
      ...common,
      history: { meanWait: Wq, meanQueue: Lq, served: 2000 },
    });
    expect(report.passed).toBe(true);
    expect(report.replications).toBe(20);
    expect(report.kpis.map((k) => k.kpi)).toEqual(['meanWait', 'meanQueue', 'served']);
    const wait = report.kpis[0]!;
    expect(wait.verdict).toBe('pass');
    expect(wait.tolerance).toBe(0.1);
    expect(Math.abs(wait.relativeError)).toBeLessThan(0.1);
    expect(wait.lower).toBeLessThan(wait.predicted);
    expect(wait.upper).toBeGreaterThan(wait.predicted);
    expect(wait.intervalCoversObserved).toBe(true);
    expect(report.kpis[2]).toMatchObject({ verdict: 'pass', relativeError: 0, decisive: true });
    expect(report.summary).toMatch(
      /^Validation against history: PASS \(3 of 3 KPIs within tolerance; 20 replications, 95% intervals\)\n {2}PASS meanWait: predicted /,
    );
  });

  it('fails a deliberately wrong KPI and says by how much', async () => {
    // The wait of an M/M/1 queue at ρ = 0.6 (1.5), not the model's ρ = 0.5.
    const report = await validateAgainstHistory({
      ...common,
      history: { meanWait: 1.5, served: 2000 },
      tolerance: { meanWait: 0.1 },
    });
    expect(report.passed).toBe(false);
    const wait = report.kpis[0]!;
    expect(wait.verdict).toBe('fail');
    expect(wait.relativeError).toBeLessThan(-0.25);
    expect(wait.decisive).toBe(true);
    expect(wait.intervalCoversObserved).toBe(false);
    expect(report.kpis[1]!.verdict).toBe('pass');
    expect(report.summary).toMatch(/FAIL \(1 of 2 KPIs within tolerance/);
    expect(report.summary).toMatch(
      /FAIL meanWait: predicted .* observed 1\.50, error −3\d\.\d% \(tolerance ±10%\)/,
    );
  });

  it('a looser tolerance for one KPI lets it pass', async () => {
    const report = await validateAgainstHistory({
      ...common,
      history: { meanWait: 1.5 },
      tolerance: { meanWait: 0.5 },
    });
    expect(report.passed).toBe(true);
  });

  it('rejects careless input with the API, rule, value and remedy', async () => {
    await expect(validateAgainstHistory({ ...common, history: { meanWait: 0 } })).rejects.toThrow(
      'validateAgainstHistory(options): history.meanWait must be a finite nonzero number (a relative tolerance needs a nonzero observed value), got 0. Drop the KPI, or give it in other units (e.g. a count instead of a zero rate).',
    );
    await expect(validateAgainstHistory({ ...common, history: { waits: 1 } })).rejects.toThrow(
      /kpis\(sim\) must return KPI 'waits' of history/,
    );
    await expect(
      validateAgainstHistory({ ...common, history: { meanWait: 1 }, tolerance: -1 }),
    ).rejects.toThrow(/tolerance must be a relative error > 0/);
    await expect(
      validateAgainstHistory({ ...common, history: { meanWait: 1 }, tolerance: { wait: 0.1 } }),
    ).rejects.toThrow(/tolerance\.wait names no KPI of history/);
    await expect(
      validateAgainstHistory({ ...common, history: { meanWait: 1 }, replications: 1 }),
    ).rejects.toThrow(
      'validateAgainstHistory(options): replications must be an integer >= 2, got 1. Run at least 2 replications (30 by default) to have an interval.',
    );
    await expect(
      validateAgainstHistory({ ...common, history: { meanWait: 1 }, tolerence: 0.1 } as never),
    ).rejects.toBeInstanceOf(TwinkitError);
  });
});
