/**
 * Wolf-sheep-grass with the parameters of JuliaDynamics' ABMFrameworksComparison (bounded 25x25
 * grid, 60 sheep, 40 wolves, regrowth 20, 500 steps), on @twinkit/abm (agents created and removed,
 * a multiple-occupancy GridSpace, random activation) against a hand-written version on typed arrays
 * (per-cell linked lists, a free list of agent slots). Populations differ between runs, so each
 * contender's work is the number of agent activations of its seeded run, counted once beforehand.
 */
import { RandomStream } from '@twinkit/core';
import { COMPARISON, type WolfSheepParams, wolfSheepBare } from '../../../examples/abm/wolf-sheep';
import { type BenchCase, compareRates, rateResult } from '../harness';

/** Runs the @twinkit/abm model; returns the number of agent activations. */
function runTwinkit(params: WolfSheepParams, steps: number, seed: number): number {
  const sim = wolfSheepBare.create({ seed, params });
  const model = sim.model;
  let activations = 0;
  // Count the activations of each tick: the agents alive at its start.
  for (let step = 1; step <= steps; step++) {
    activations += model.agentCount;
    sim.run({ until: step });
  }
  return activations;
}

const SHEEP = 0;
const WOLF = 1;

/** The same model by hand; returns the number of agent activations. */
function runHandWritten(params: WolfSheepParams, steps: number, seed: number): number {
  const rng = new RandomStream({ seed, name: 'abm', replication: 0, forkPath: '' });
  const { width, height } = params;
  const cells = width * height;
  let capacity = 1024;
  let kind = new Int8Array(capacity);
  let energy = new Float64Array(capacity);
  let cellOf = new Int32Array(capacity);
  let next = new Int32Array(capacity);
  let prev = new Int32Array(capacity);
  let alive = new Uint8Array(capacity);
  let born = new Int32Array(capacity);
  const free: number[] = [];
  let used = 0;
  let population = 0;
  const head = new Int32Array(cells).fill(-1);
  const grown = new Uint8Array(cells);
  const countdown = new Int32Array(cells);
  const grow = () => {
    capacity *= 2;
    const widen = <A extends Int8Array | Float64Array | Int32Array | Uint8Array>(a: A): A => {
      const b = new (a.constructor as new (n: number) => A)(capacity);
      b.set(a);
      return b;
    };
    kind = widen(kind);
    energy = widen(energy);
    cellOf = widen(cellOf);
    next = widen(next);
    prev = widen(prev);
    alive = widen(alive);
    born = widen(born);
  };
  const link = (a: number, c: number) => {
    next[a] = head[c]!;
    prev[a] = -1;
    if (head[c]! >= 0) prev[head[c]!] = a;
    head[c] = a;
    cellOf[a] = c;
  };
  const unlink = (a: number) => {
    if (prev[a]! >= 0) next[prev[a]!] = next[a]!;
    else head[cellOf[a]!] = next[a]!;
    if (next[a]! >= 0) prev[next[a]!] = prev[a]!;
  };
  const add = (k: number, e: number, c: number, step: number) => {
    let a = free.pop();
    if (a === undefined) {
      if (used === capacity) grow();
      a = used++;
    }
    kind[a] = k;
    energy[a] = e;
    alive[a] = 1;
    born[a] = step;
    link(a, c);
    population++;
  };
  const remove = (a: number) => {
    unlink(a);
    alive[a] = 0;
    free.push(a);
    population--;
  };
  for (let i = 0; i < params.sheep; i++)
    add(SHEEP, rng.integer(0, 2 * params.sheepGain - 1), Math.floor(rng.next() * cells), -1);
  for (let i = 0; i < params.wolves; i++)
    add(WOLF, rng.integer(0, 2 * params.wolfGain - 1), Math.floor(rng.next() * cells), -1);
  for (let c = 0; c < cells; c++) {
    const g = rng.next() < 0.5;
    grown[c] = g ? 1 : 0;
    countdown[c] = g ? params.regrowthTime : rng.integer(0, params.regrowthTime - 1);
  }
  let order = new Int32Array(capacity);
  let activations = 0;
  for (let step = 0; step < steps; step++) {
    if (order.length < capacity) order = new Int32Array(capacity);
    let count = 0;
    for (let a = 0; a < used; a++) if (alive[a] === 1) order[count++] = a;
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    activations += count;
    for (let k = 0; k < count; k++) {
      const a = order[k]!;
      if (alive[a] !== 1 || born[a] === step) continue; // eaten, or a newborn in a reused slot
      // Random walk to one of the Moore neighbours (reservoir choice, clipped at the edges).
      const c = cellOf[a]!;
      const x = c % width;
      const y = (c / width) | 0;
      let chosen = c;
      let seen = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          seen++;
          if (rng.next() * seen < 1) chosen = ny * width + nx;
        }
      }
      unlink(a);
      link(a, chosen);
      energy[a]! -= 1;
      if (kind[a] === SHEEP) {
        if (grown[chosen] === 1) {
          energy[a]! += params.sheepGain;
          grown[chosen] = 0;
          countdown[chosen] = params.regrowthTime;
        }
      } else {
        let prey = -1;
        let found = 0;
        for (let o = head[chosen]!; o >= 0; o = next[o]!) {
          if (kind[o] !== SHEEP) continue;
          found++;
          if (rng.next() * found < 1) prey = o;
        }
        if (prey >= 0) {
          remove(prey);
          energy[a]! += params.wolfGain;
        }
      }
      if (energy[a]! < 0) {
        remove(a);
        continue;
      }
      if (rng.next() > (kind[a] === SHEEP ? params.sheepReproduce : params.wolfReproduce)) continue;
      energy[a]! /= 2;
      add(kind[a]!, energy[a]!, chosen, step);
    }
    for (let c = 0; c < cells; c++) {
      if (grown[c] === 1) continue;
      if (countdown[c]! <= 0) {
        grown[c] = 1;
        countdown[c] = params.regrowthTime;
      } else countdown[c]! -= 1;
    }
  }
  return population >= 0 ? activations : -1;
}

export const cases: BenchCase[] = [
  {
    suite: 'abm',
    name: 'wolf-sheep',
    run({ quick }) {
      const steps = quick ? 100 : 500;
      const seed = 42;
      const twinkitWork = runTwinkit(COMPARISON, steps, seed);
      const handWork = runHandWritten(COMPARISON, steps, seed);
      const rates = compareRates(
        {
          twinkit: { work: twinkitWork, fn: () => runTwinkit(COMPARISON, steps, seed) },
          handWritten: { work: handWork, fn: () => runHandWritten(COMPARISON, steps, seed) },
        },
        quick ? { rounds: 2, warmup: 1 } : { rounds: 8, warmup: 2 },
      );
      return [
        rateResult(
          'abm',
          'wolf-sheep',
          'agent-steps/s',
          'agent-steps/s',
          rates.twinkit!,
          { name: 'hand-written typed arrays', value: rates.handWritten! },
          { note: `activations per run: twinkit ${twinkitWork}, hand-written ${handWork}` },
        ),
      ];
    },
  },
];

/** Exposed for the test that checks the hand-written reference models the same thing. @internal */
export const _implementations = { runTwinkit, runHandWritten };
