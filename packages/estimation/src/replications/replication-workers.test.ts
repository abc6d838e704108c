import { describe, expect, it } from 'vitest';
import { arrivals, mm1 } from '../../test/support/test-models';
import { compareScenarios } from './compare-scenarios';
import { runReplications, startReplicationWorkers } from './run-replications';

const base = { arrivalRate: 0.5, serviceRate: 1, customers: 100, stationaryStart: true };
// Self-contained (sent to the workers as source): 1 when it runs on a replication worker thread.
const outputs = (sim: { model: { waits: { mean: number } } }) => ({
  meanWait: sim.model.waits.mean,
  onWorker:
    (globalThis as Record<symbol, unknown>)[Symbol.for('twinkit.estimation.replicationWorker')] === true
      ? 1
      : 0,
});

describe('startReplicationWorkers and firstReplication', () => {
  it('runs on the kept threads even with one worker, and extends a run without repeating a replication', async () => {
    const pool = startReplicationWorkers(mm1, { workers: 1 });
    try {
      const all = await runReplications(mm1, { replications: 10, seed: 3, params: base, outputs });
      expect(all.outputs.onWorker!.values.every((v) => v === 0)).toBe(true); // workers: 1 alone runs here
      const head = await runReplications(mm1, { replications: 4, seed: 3, params: base, outputs, pool });
      const tail = await runReplications(mm1, {
        replications: 6,
        seed: 3,
        params: base,
        outputs,
        pool,
        firstReplication: 4,
      });
      expect(head.outputs.onWorker!.values.every((v) => v === 1)).toBe(true);
      expect(tail.outputs.onWorker!.values.every((v) => v === 1)).toBe(true);
      // Replications 0-3 and 4-9 are exactly those of one run of 10.
      expect([...head.outputs.meanWait!.values, ...tail.outputs.meanWait!.values]).toEqual(
        all.outputs.meanWait!.values,
      );
      // compareScenarios on the same pool: the threads stay up after it, and it is CRN as usual.
      const scenarios = { slow: base, fast: { ...base, serviceRate: 2 } };
      const study = await compareScenarios(mm1, { scenarios, replications: 3, seed: 3, outputs, pool });
      expect(study.scenarios.slow!.outputs.meanWait!.values).toEqual(
        all.outputs.meanWait!.values.slice(0, 3),
      );
      expect(study.scenarios.fast!.outputs.onWorker!.mean).toBe(1);
      const later = await compareScenarios(mm1, {
        scenarios,
        replications: 2,
        seed: 3,
        outputs,
        pool,
        firstReplication: 3,
      });
      expect(later.scenarios.slow!.outputs.meanWait!.values).toEqual(
        all.outputs.meanWait!.values.slice(3, 5),
      );
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('refuses workers beside a pool, a pool of another model, and a negative firstReplication', async () => {
    const pool = startReplicationWorkers(mm1, { workers: 1 });
    try {
      const options = { replications: 2, seed: 1, params: base, outputs };
      await expect(runReplications(mm1, { ...options, pool, workers: 2 })).rejects.toThrow(
        /workers must be omitted with pool/,
      );
      await expect(runReplications(arrivals as never, { ...options, pool } as never)).rejects.toThrow(
        /pool was started for another model/,
      );
      const fake = { workers: 1, close: async () => {} };
      await expect(runReplications(mm1, { ...options, pool: fake })).rejects.toThrow(
        /pool must come from startReplicationWorkers/,
      );
      await expect(runReplications(mm1, { ...options, firstReplication: -1 })).rejects.toThrow(
        /firstReplication/,
      );
      expect(() => startReplicationWorkers(mm1, { workers: 0 })).toThrow(/workers/);
    } finally {
      await pool.close();
    }
  }, 30_000);
});
