/**
 * A CPU-bound model for the Monte Carlo speed-up benchmark: each replication sums a long series of
 * draws from its own stream. It lives in its own module, exported under the name given to
 * defineModel, so that runReplications' worker threads can load it.
 */
import { defineModel } from '@twinkit/core';

/** Parameters: how many draws one replication makes. */
export interface CpuBoundParams {
  draws: number;
}

/** Averages √U over `draws` uniforms U of the replication's stream (E = 2/3). */
export const cpuBound = defineModel(
  (sim, p: CpuBoundParams) => {
    const rng = sim.rng('work');
    const result = { mean: 0 };
    sim.schedule(0, () => {
      let total = 0;
      for (let i = 0; i < p.draws; i++) total += Math.sqrt(rng.next());
      result.mean = total / p.draws;
    });
    return result;
  },
  { name: 'cpuBound', module: import.meta.url },
);
