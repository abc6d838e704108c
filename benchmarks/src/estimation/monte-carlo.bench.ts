/**
 * Monte Carlo benchmark: replications per second of runReplications with 2 worker threads against
 * 1 (the main thread), on a CPU-bound model, measured in the same process. The figure includes
 * starting the worker pool (from the TypeScript sources here, each worker compiles core with tsx,
 * ~0.5-1 s); the note gives the speed-up without that start-up as well.
 */
import { runReplications } from '@twinkit/estimation';
import { type BenchCase, rateResult } from '../harness';
import { cpuBound } from './cpu-model';

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

export const cases: BenchCase[] = [
  {
    suite: 'estimation',
    name: 'monte-carlo-workers',
    async run({ quick }) {
      const replications = quick ? 8 : 96;
      const draws = quick ? 1_000_000 : 4_000_000;
      const options = {
        replications,
        seed: 1,
        params: { draws },
        outputs: (sim: { model: { mean: number } }) => ({ mean: sim.model.mean }),
      };
      // Warm the JIT on the main thread first so that the 1-worker figure is not penalized.
      await runReplications(cpuBound, { ...options, replications: 2, params: { draws: 200_000 } });
      const one = await seconds(() => runReplications(cpuBound, options));
      const two = await seconds(() => runReplications(cpuBound, { ...options, workers: 2 }));
      // The pool's start-up alone: two trivial replications on two workers.
      const startup = await seconds(() =>
        runReplications(cpuBound, { ...options, replications: 2, params: { draws: 1 }, workers: 2 }),
      );
      const steady = one / Math.max(two - startup, 1e-9);
      return [
        rateResult(
          'estimation',
          'monte-carlo-workers',
          'replications/s with 2 workers',
          'replications/s',
          replications / two,
          { name: '1 worker (main thread)', value: replications / one },
          {
            // The quick run is a smoke test of ~0.1 s of work, dominated by the pool's start-up: the
            // 1.7x goal applies to the full run only.
            ...(quick ? {} : { goal: 1.7 }),
            note: `${replications} replications of ${draws} draws; pool start-up ${startup.toFixed(2)} s included; without it ${steady.toFixed(2)}x${quick ? ' (quick: start-up dominates)' : ''}`,
          },
        ),
      ];
    },
  },
];
