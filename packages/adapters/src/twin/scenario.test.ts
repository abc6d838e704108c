import { describe, expect, it } from 'vitest';
import { KeepingSink } from '../../test-support/keeping-sink';
import { wearingMachine } from '../../test-support/twin-models';
import { sleep, waitFor } from '../../test-support/wait-for';
import { ManualSource, reading } from '../quality/manual-source';
import { createTwin } from './create-twin';

const T0 = Date.UTC(2026, 0, 5, 6);
const SRC = 'plant/line1/m1/telemetry/health';

describe('twin.scenario: what-ifs from the present, on worker threads, while ingesting', () => {
  it('forks the present: intervals hold the analytic mean, CRN makes the paired difference exact, ingestion goes on', async () => {
    const source = new ManualSource();
    const sink = new KeepingSink();
    const params = { initial: 5000, wearRate: 0.5, wearNoise: 0.2 };
    const twin = createTwin({
      model: wearingMachine,
      params,
      seed: 7,
      sources: [source],
      sinks: [sink],
      time: { epoch: T0, unitMs: 1000 },
      assimilate: {
        assets: {
          M1: { state: ['M1.health'], Q: [[0.04]], sensors: { 'HLT-001': { h: (x) => [x[0]!], R: 1 } } },
        },
      },
      scenarios: {
        // onWorker: 1 when the replication ran on a replication worker thread, not the twin's.
        outputs: (sim) => ({
          health: sim.model.health(),
          onWorker:
            (globalThis as Record<symbol, unknown>)[Symbol.for('twinkit.estimation.replicationWorker')] ===
            true
              ? 1
              : 0,
        }),
        primary: 'health',
        workers: 1,
      },
    });
    await twin.start();
    let t = 0;
    const feed = () => {
      t += 1;
      source.push(
        reading('HLT-001', T0 + t * 1000, 5000 - 0.5 * t, { source: SRC, unit: '1', receivedAt: Date.now() }),
      );
    };
    for (let i = 0; i < 100; i++) feed();
    await waitFor(() => twin.stats().readings.assimilated === 100, 5000, 'the first readings');
    const present = twin.sim.state.get('M1.health');
    const atRequest = twin.sim.now;

    // 0.1 h = 360 ticks ahead: health falls by 0.5 × 360 = 180 in mean, with sd 0.2 × √360.
    const job = twin.scenario({ params: { wearRate: 0.25 }, horizonH: 0.1, replications: 30 });
    expect(job.status).toBe('running');
    expect(twin.scenarioJob(job.id)).toBe(job);
    // Readings keep coming and keep being assimilated while the scenario runs.
    const feeder = setInterval(feed, 5);
    const result = await job.result;
    clearInterval(feeder);
    const during = twin.stats().readings.assimilated - 100;
    expect(during).toBeGreaterThan(0);
    expect(job.status).toBe('completed');
    expect(result.replications).toBe(30);
    expect(result.stoppedBy).toBe('replications');
    expect(result.from).toBe(new Date(T0 + atRequest * 1000).toISOString());
    const baseline = result.scenarios.baseline!.health!;
    expect(baseline.lower).toBeLessThan(present - 180);
    expect(baseline.upper).toBeGreaterThan(present - 180);
    expect(baseline.halfWidth).toBeGreaterThan(0.5);
    // The same draws in both: the difference is (0.5 − 0.25) × 360 in every replication.
    const diff = result.differences.scenario!.health!;
    expect(diff.mean).toBeCloseTo(90, 9);
    expect(diff.halfWidth).toBeLessThan(1e-9);
    // The result went out on the predictions topic and to subscribers.
    const out = sink.messages.filter((m) => m.kind === 'prediction');
    expect(out).toHaveLength(1);
    expect((out[0] as { topic: string }).topic).toBe('factory/simulation/predictions/scenarios');
    expect(twin.stats().scenarios).toEqual({ running: 0, completed: 1, failed: 0 });
    // The replications ran on the worker thread; taking the snapshot is all the twin's thread did,
    // so ingestion never stopped for long (the bound leaves room for a loaded machine).
    expect(result.scenarios.baseline!.onWorker!.mean).toBe(1);
    expect(twin.stats().simulation.longestPauseMs).toBeLessThan(1000);

    // Sequential stopping: replications are added until the half-width is at most the target.
    const precise = await twin.scenario({
      scenarios: { gentle: { wearRate: 0.25 }, harsh: { wearRate: 1 } },
      horizonH: 0.1,
      replications: 400,
      targetHalfWidth: 1,
    }).result;
    expect(precise.stoppedBy).toBe('precision');
    expect(precise.replications).toBeGreaterThan(10);
    for (const name of ['baseline', 'gentle', 'harsh'])
      expect(precise.scenarios[name]!.health!.halfWidth).toBeLessThanOrEqual(1);
    expect(precise.differences.harsh!.health!.mean).toBeCloseTo(-180, 9);

    expect(() => twin.scenario({ params: { wearRat: 1 } as never, horizonH: 1, replications: 5 })).toThrow(
      /names a parameter the model does not have, got "wearRat".*Did you mean 'wearRate'\?/,
    );
    expect(() => twin.scenario({ params: { wearRate: 1 }, horizonH: 0, replications: 5 })).toThrow(
      /horizonH/,
    );
    source.end();
    await sleep(10);
    await twin.stop();
  }, 60_000);
});
