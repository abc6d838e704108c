/**
 * Schelling with the rules of JuliaDynamics' ABMFrameworksComparison (small: 40x40, 1000 agents,
 * radius 1, min 3 similar; large: 100x100, 8000 agents, radius 2, min 8; 20 steps; random
 * activation; bounded grid, single occupancy), on @twinkit/abm against a hand-written typed-array
 * version of the same model drawing the same random numbers for the same purposes, so that both
 * perform the identical run (checked seed by seed in references.test.ts). Both time setup + 20 steps.
 */
import { RandomStream } from '@twinkit/core';
import { LARGE, type SchellingParams, SMALL, schelling } from '../../../examples/abm/schelling';
import { type BenchCase, type BenchResult, measuredResult, measureRates } from '../harness';

const STEPS = 20;

/** The model on @twinkit/abm (agents, GridSpace, ticker with random activation). Returns happy agents. */
function runTwinkit(params: SchellingParams, seed: number, steps = STEPS): number {
  const sim = schelling.create({ seed, params });
  sim.run({ until: steps });
  return sim.model.happyCount();
}

/** The same model by hand: typed arrays for the grid, groups and positions, an empty-cell list. */
function runHandWritten(params: SchellingParams, seed: number, steps = STEPS): number {
  const rng: RandomStream = new RandomStream({ seed, name: 'abm', replication: 0, forkPath: '' });
  const { width, height, agents, radius, minSimilar } = params;
  const cells = width * height;
  const grid = new Int32Array(cells).fill(-1);
  const group = new Int8Array(agents);
  const cellOf = new Int32Array(agents);
  const happy = new Uint8Array(agents);
  const empty = new Int32Array(cells);
  const emptySlot = new Int32Array(cells);
  let emptyCount = cells;
  for (let c = 0; c < cells; c++) {
    empty[c] = c;
    emptySlot[c] = c;
  }
  const take = (c: number) => {
    const slot = emptySlot[c]!;
    const last = empty[--emptyCount]!;
    empty[slot] = last;
    emptySlot[last] = slot;
    emptySlot[c] = -1;
  };
  const free = (c: number) => {
    emptySlot[c] = emptyCount;
    empty[emptyCount++] = c;
  };
  for (let a = 0; a < agents; a++) {
    group[a] = a % 2;
    const c = empty[Math.floor(rng.next() * emptyCount)]!;
    take(c);
    grid[c] = a;
    cellOf[a] = c;
  }
  const order = new Int32Array(agents);
  for (let step = 0; step < steps; step++) {
    for (let a = 0; a < agents; a++) order[a] = a;
    for (let i = agents - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (let k = 0; k < agents; k++) {
      const a = order[k]!;
      const c = cellOf[a]!;
      const x = c % width;
      const y = (c / width) | 0;
      const g = group[a]!;
      let similar = 0;
      const y0 = Math.max(0, y - radius);
      const y1 = Math.min(height - 1, y + radius);
      const x0 = Math.max(0, x - radius);
      const x1 = Math.min(width - 1, x + radius);
      for (let ny = y0; ny <= y1; ny++) {
        for (let nx = x0; nx <= x1; nx++) {
          const other = grid[ny * width + nx]!;
          if (other >= 0 && other !== a && group[other] === g) similar++;
        }
      }
      if (similar >= minSimilar) {
        happy[a] = 1;
      } else {
        happy[a] = 0;
        // Draw the target among the cells empty now, then free the old cell, then take the target
        // (the library's order, so that both versions draw the same numbers for the same purpose).
        const target = empty[Math.floor(rng.next() * emptyCount)]!;
        grid[c] = -1;
        free(c);
        take(target);
        grid[target] = a;
        cellOf[a] = target;
      }
    }
  }
  let count = 0;
  for (let a = 0; a < agents; a++) count += happy[a]!;
  return count;
}

function schellingCase(size: 'small' | 'large', params: SchellingParams): BenchCase {
  return {
    suite: 'abm',
    name: `schelling-${size}`,
    run({ quick }) {
      const work = params.agents * STEPS;
      let seed = 1;
      const rates = measureRates(
        {
          twinkit: { work, fn: () => runTwinkit(params, seed++) },
          handWritten: { work, fn: () => runHandWritten(params, seed++) },
        },
        quick ? { rounds: 2, warmup: 1 } : { rounds: 8, warmup: 2 },
      );
      return [
        measuredResult(
          'abm',
          `schelling-${size}`,
          'agent-steps/s',
          'agent-steps/s',
          rates,
          'twinkit',
          { key: 'handWritten', label: 'hand-written typed arrays' },
          size === 'large' ? { goal: 0.5 } : {},
        ),
      ];
    },
  };
}

/**
 * Schelling at 1e3, 1e4 and 1e5 agents: the large rules (radius 2, min 8 similar) at the large model's
 * density (0.8 agents per cell) on a square grid sized to the agent count, 10 steps. Prints the cost per
 * agent-step at each size against the cost at 1e3 agents (1.00x = flat), for twinkit and the
 * hand-written version, and twinkit against the hand-written version at each size.
 */
const scalingCase: BenchCase = {
  suite: 'abm',
  name: 'schelling-scaling',
  run({ quick }) {
    const steps = quick ? 2 : 10;
    const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
    const results: BenchResult[] = [];
    let base: { twinkit: number; handWritten: number } | null = null;
    let seed = 100;
    for (const agents of sizes) {
      const side = Math.ceil(Math.sqrt(agents / 0.8));
      const params: SchellingParams = { ...LARGE, width: side, height: side, agents };
      const work = agents * steps;
      const rates = measureRates(
        {
          twinkit: { work, fn: () => runTwinkit(params, seed++, steps) },
          handWritten: { work, fn: () => runHandWritten(params, seed++, steps) },
        },
        quick ? { rounds: 1, warmup: 1, minMs: 20 } : { rounds: 5, warmup: 1, minMs: 300 },
      );
      base ??= { twinkit: rates.cpu.twinkit!, handWritten: rates.cpu.handWritten! };
      const ns = (rate: number) => (1e9 / rate).toFixed(0);
      const note =
        `${agents} agents on ${side}x${side}, ${steps} steps; ns per agent-step (cpu) twinkit ${ns(rates.cpu.twinkit!)}, ` +
        `hand-written ${ns(rates.cpu.handWritten!)}; growth of cost from ${sizes[0]} agents: twinkit ` +
        `${(base.twinkit / rates.cpu.twinkit!).toFixed(2)}x, hand-written ${(base.handWritten / rates.cpu.handWritten!).toFixed(2)}x`;
      results.push(
        measuredResult(
          'abm',
          `schelling-${agents}`,
          'agent-steps/s',
          'agent-steps/s',
          rates,
          'twinkit',
          { key: 'handWritten', label: 'hand-written typed arrays' },
          { goal: 0.7, note },
        ),
      );
      results.push({
        suite: 'abm',
        case: `schelling-${agents}`,
        metric: 'cost growth per agent-step (twinkit)',
        value: base.twinkit / rates.cpu.twinkit!,
        unit: 'x',
        reference: { name: `cost at ${sizes[0]} agents`, value: 1 },
        ratio: base.twinkit / rates.cpu.twinkit!,
        note: `hand-written: ${(base.handWritten / rates.cpu.handWritten!).toFixed(2)}x (1.00x = flat; lower is better)`,
      });
    }
    return results;
  },
};

export const cases: BenchCase[] = [schellingCase('small', SMALL), schellingCase('large', LARGE), scalingCase];

/** Exposed for the examples test: both implementations agree on the model's behaviour. @internal */
export const _implementations = { runTwinkit, runHandWritten, STEPS };
