/**
 * Fork cost. A fork by replay is rebuilt from the model definition and replayed to the fork point, so
 * its cost is that of re-running the history; the reference is exactly that work done by hand (create
 * the model and run it to the same time), measured in the same process. A ratio near 1 means fork adds
 * little beyond the replay itself. The second case shows how the cost grows with simulated history.
 * The third compares fork by snapshot (the definition's saveState/restoreState hooks) with fork by replay on the
 * same model at the same points, as the history grows.
 */
import { defineModel, type Simulation } from '@twinkit/core';
import {
  type BenchCase,
  type BenchResult,
  compareRates,
  measuredResult,
  measureRates,
  rateResult,
} from '../harness';

/** `count` machines, each cycling between work and short breaks: always `count` pending events. */
const machines = defineModel((sim, params: { count: number }) => {
  let cycles = 0;
  const rng = sim.rng('cycle');
  for (let i = 0; i < params.count; i++) {
    sim.process(function* () {
      for (;;) {
        yield sim.timeout(rng.exponential(10));
        cycles++;
      }
    });
  }
  sim.state.define('cycles', { get: () => cycles });
  return { cycles: () => cycles };
});

/** The state of {@link checkpointedMachines}: the due time of each machine's current cycle. */
interface MachinesState {
  cycles: number;
  due: (number | null)[];
}

/** Starts `count` machines from `saved`; a machine with a due time resumes its cycle (after a restore). */
function startMachines(sim: Simulation, count: number, saved: MachinesState) {
  let cycles = saved.cycles;
  const due = [...saved.due];
  const rng = sim.rng('cycle');
  for (let i = 0; i < count; i++) {
    sim.process(function* () {
      for (;;) {
        const resume = due[i];
        if (resume === null || resume === undefined) {
          const gap = rng.exponential(10);
          due[i] = sim.now + gap;
          yield sim.timeout(gap);
        } else {
          yield sim.timeout(resume - sim.now);
        }
        due[i] = null;
        cycles++;
      }
    });
  }
  sim.state.define('cycles', { get: () => cycles });
  return { saveState: (): MachinesState => ({ cycles, due: [...due] }) };
}

/** The machines above with snapshot hooks, so that they fork by either mechanism. */
const checkpointedMachines = defineModel(
  (sim, params: { count: number }) =>
    startMachines(sim, params.count, { cycles: 0, due: new Array(params.count).fill(null) }),
  {
    snapshot: {
      saveState: (model) => model.saveState(),
      restoreState: (sim, params, saved) => startMachines(sim, params.count, saved),
    },
  },
);

export const cases: BenchCase[] = [
  {
    suite: 'core',
    name: 'fork-10k-pending',
    run({ quick }) {
      const count = 10_000;
      const until = quick ? 5 : 20; // about count * until / 10 events of history
      const live = machines.create({ seed: 1, params: { count } });
      live.run({ until });
      const history = live.eventsProcessed;
      const rates = compareRates(
        {
          fork: { work: 1, fn: () => live.fork() },
          rebuild: {
            work: 1,
            fn: () => machines.create({ seed: 1, params: { count } }).run({ until }),
          },
        },
        { rounds: quick ? 2 : 5, minMs: quick ? 40 : 250 },
      );
      return [
        rateResult(
          'core',
          'fork-10k-pending',
          'forks/s',
          'forks/s',
          rates.fork!,
          {
            name: 'create + run to the same time by hand',
            value: rates.rebuild!,
          },
          {
            note: `${count} pending events, ${history} events of history; fork time ${(1000 / rates.fork!).toFixed(1)} ms`,
          },
        ),
      ];
    },
  },
  {
    suite: 'core',
    name: 'fork-history-growth',
    run({ quick }) {
      const results = [];
      const count = 100;
      const histories = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
      let first: number | null = null;
      for (const target of histories) {
        const live = machines.create({ seed: 2, params: { count } });
        live.run({ until: (target / count) * 10 });
        const history = live.eventsProcessed;
        const rates = compareRates(
          { fork: { work: history, fn: () => live.fork() } },
          { rounds: quick ? 2 : 3, minMs: quick ? 40 : 250 },
        );
        const perEvent = rates.fork!; // replayed events per second
        first ??= perEvent;
        results.push(
          rateResult(
            'core',
            `fork-history-${history}`,
            'replayed events/s',
            'events/s',
            perEvent,
            {
              name: `fork with ${histories[0]} events of history`,
              value: first,
            },
            {
              note: `fork time ${((history / perEvent) * 1000).toFixed(2)} ms; ratio ~1 = cost linear in history`,
            },
          ),
        );
      }
      return results;
    },
  },
  {
    suite: 'core',
    name: 'fork-snapshot-vs-replay',
    run({ quick }) {
      const results = [];
      const count = 100;
      const histories = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
      for (const target of histories) {
        const live = checkpointedMachines.create({ seed: 3, params: { count } });
        live.run({ until: (target / count) * 10 });
        const history = live.eventsProcessed;
        const rates = compareRates(
          {
            snapshot: { work: 1, fn: () => live.fork({ mechanism: 'snapshot' }) },
            replay: { work: 1, fn: () => live.fork({ mechanism: 'replay' }) },
          },
          { rounds: quick ? 2 : 3, minMs: quick ? 40 : 250 },
        );
        results.push(
          rateResult(
            'core',
            `fork-snapshot-history-${history}`,
            'forks/s by snapshot',
            'forks/s',
            rates.snapshot!,
            { name: 'fork by replay, same model and point', value: rates.replay! },
            {
              note: `${count} suspended processes, ${history} events of history; snapshot fork ${(1000 / rates.snapshot!).toFixed(3)} ms, replay fork ${(1000 / rates.replay!).toFixed(2)} ms`,
            },
          ),
        );
      }
      return results;
    },
  },
  {
    suite: 'core',
    name: 'fork-snapshot-growth',
    run({ quick }) {
      // Fork by snapshot of a model with 100, 1k and 10k suspended processes (each machine one pending
      // timeout, about 2 events of history per machine), against fork by replay of the same model at
      // the same point; the growth of the snapshot fork's cost per process from 100 processes is
      // printed as a ratio (1.00x = linear in the number of processes).
      const results: BenchResult[] = [];
      const counts = quick ? [100, 1_000] : [100, 1_000, 10_000];
      let base: number | null = null;
      for (const count of counts) {
        const live = checkpointedMachines.create({ seed: 4, params: { count } });
        live.run({ until: 20 });
        const rates = measureRates(
          {
            snapshot: { work: 1, fn: () => live.fork({ mechanism: 'snapshot' }) },
            replay: { work: 1, fn: () => live.fork({ mechanism: 'replay' }) },
          },
          quick ? { rounds: 1, warmup: 1, minMs: 20 } : { rounds: 5, warmup: 1, minMs: 250 },
        );
        const perProcess = rates.cpu.snapshot! * count; // processes forked per second
        base ??= perProcess;
        results.push(
          measuredResult(
            'core',
            `fork-snapshot-${count}`,
            'forks/s by snapshot',
            'forks/s',
            rates,
            'snapshot',
            { key: 'replay', label: 'fork by replay, same model and point' },
            {
              note: `${count} suspended processes, ${live.eventsProcessed} events of history; snapshot fork ${(1000 / rates.cpu.snapshot!).toFixed(2)} ms cpu (${(1000 / rates.wall.snapshot!).toFixed(2)} ms wall), replay ${(1000 / rates.cpu.replay!).toFixed(2)} ms cpu`,
            },
          ),
          {
            suite: 'core',
            case: `fork-snapshot-${count}`,
            metric: 'cost growth per process (snapshot)',
            value: base / perProcess,
            unit: 'x',
            reference: { name: `cost per process at ${counts[0]}`, value: 1 },
            ratio: base / perProcess,
            note: '1.00x = cost linear in the number of processes; lower is better',
          },
        );
      }
      return results;
    },
  },
];
