/**
 * Flocking with the rules and parameters of JuliaDynamics' ABMFrameworksComparison (300 birds in a
 * periodic 100x100 square, visual distance 5, 100 steps, random activation), on @twinkit/abm
 * (agents in a ContinuousSpace with a spatial hash) against a hand-written version on typed arrays
 * with its own inline spatial hash. Both draw the same random numbers for the same purposes and
 * perform the identical run (checked in references.test.ts). Both time setup + all steps.
 */
import { RandomStream } from '@twinkit/core';
import { type BoidsParams, boids, FLOCKING } from '../../../examples/abm/boids';
import { type BenchCase, compareRates, rateResult } from '../harness';

function runTwinkit(params: BoidsParams, steps: number, seed: number): number {
  const sim = boids.create({ seed, params });
  sim.run({ until: steps });
  return sim.model.polarisation();
}

/** The same model by hand: positions and headings in Float64Arrays, a bucket grid of linked lists. */
function runHandWritten(params: BoidsParams, steps: number, seed: number): number {
  const rng = new RandomStream({ seed, name: 'abm', replication: 0, forkPath: '' });
  const n = params.birds;
  const size = params.extent;
  const buckets = Math.max(1, Math.floor(size / params.visualDistance));
  const bucketSize = size / buckets;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const vxs = new Float64Array(n);
  const vys = new Float64Array(n);
  const head = new Int32Array(buckets * buckets).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const bucketOf = new Int32Array(n);
  const bucketIndex = (x: number, y: number) =>
    Math.min(buckets - 1, Math.floor(y / bucketSize)) * buckets +
    Math.min(buckets - 1, Math.floor(x / bucketSize));
  const link = (i: number, b: number) => {
    next[i] = head[b]!;
    prev[i] = -1;
    if (head[b]! >= 0) prev[head[b]!] = i;
    head[b] = i;
    bucketOf[i] = b;
  };
  const unlink = (i: number) => {
    if (prev[i]! >= 0) next[prev[i]!] = next[i]!;
    else head[bucketOf[i]!] = next[i]!;
    if (next[i]! >= 0) prev[next[i]!] = prev[i]!;
  };
  for (let i = 0; i < n; i++) {
    vxs[i] = rng.uniform(-1, 1);
    vys[i] = rng.uniform(-1, 1);
    xs[i] = rng.next() * size;
    ys[i] = rng.next() * size;
    link(i, bucketIndex(xs[i]!, ys[i]!));
  }
  const r = params.visualDistance;
  const r2 = r * r;
  const sep2 = params.separation * params.separation;
  const half = size / 2;
  const order = new Int32Array(n);
  for (let step = 0; step < steps; step++) {
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const x = xs[i]!;
      const y = ys[i]!;
      let count = 0;
      let cx = 0;
      let cy = 0;
      let sx = 0;
      let sy = 0;
      let mx = 0;
      let my = 0;
      let bx0 = Math.floor((x - r) / bucketSize);
      let bx1 = Math.floor((x + r) / bucketSize);
      let by0 = Math.floor((y - r) / bucketSize);
      let by1 = Math.floor((y + r) / bucketSize);
      if (bx1 - bx0 + 1 >= buckets) {
        bx0 = 0;
        bx1 = buckets - 1;
      }
      if (by1 - by0 + 1 >= buckets) {
        by0 = 0;
        by1 = buckets - 1;
      }
      for (let by = by0; by <= by1; by++) {
        const row = ((by + buckets) % buckets) * buckets;
        for (let bx = bx0; bx <= bx1; bx++) {
          for (let j = head[row + ((bx + buckets) % buckets)]!; j >= 0; j = next[j]!) {
            if (j === i) continue;
            let dx = xs[j]! - x;
            let dy = ys[j]! - y;
            if (dx > half) dx -= size;
            else if (dx < -half) dx += size;
            if (dy > half) dy -= size;
            else if (dy < -half) dy += size;
            const d2 = dx * dx + dy * dy;
            if (d2 > r2) continue;
            count++;
            cx += dx;
            cy += dy;
            if (d2 < sep2) {
              sx -= dx;
              sy -= dy;
            }
            mx += vxs[j]!;
            my += vys[j]!;
          }
        }
      }
      count = Math.max(count, 1);
      let vx =
        (vxs[i]! +
          (cx / count) * params.cohereFactor +
          (sx / count) * params.separateFactor +
          (mx / count) * params.matchFactor) /
        2;
      let vy =
        (vys[i]! +
          (cy / count) * params.cohereFactor +
          (sy / count) * params.separateFactor +
          (my / count) * params.matchFactor) /
        2;
      const norm = Math.hypot(vx, vy);
      if (norm > 0) {
        vx /= norm;
        vy /= norm;
      }
      vxs[i] = vx;
      vys[i] = vy;
      let nx = x + vx * params.speed;
      let ny = y + vy * params.speed;
      nx -= size * Math.floor(nx / size);
      ny -= size * Math.floor(ny / size);
      if (nx >= size) nx = 0;
      if (ny >= size) ny = 0;
      xs[i] = nx;
      ys[i] = ny;
      const b = bucketIndex(nx, ny);
      if (b !== bucketOf[i]) {
        unlink(i);
        link(i, b);
      }
    }
  }
  let sumX = 0;
  let sumY = 0;
  for (let i = 0; i < n; i++) {
    sumX += vxs[i]!;
    sumY += vys[i]!;
  }
  return Math.hypot(sumX, sumY) / n;
}

export const cases: BenchCase[] = [
  {
    suite: 'abm',
    name: 'flocking',
    run({ quick }) {
      const steps = quick ? 20 : 100;
      const work = FLOCKING.birds * steps;
      let seed = 1;
      const rates = compareRates(
        {
          twinkit: { work, fn: () => runTwinkit(FLOCKING, steps, seed++) },
          handWritten: { work, fn: () => runHandWritten(FLOCKING, steps, seed++) },
        },
        quick ? { rounds: 2, warmup: 1 } : { rounds: 8, warmup: 2 },
      );
      return [
        rateResult('abm', 'flocking', 'agent-steps/s', 'agent-steps/s', rates.twinkit!, {
          name: 'hand-written typed arrays',
          value: rates.handWritten!,
        }),
      ];
    },
  },
];

/** Exposed for the test that checks the hand-written reference models the same thing. @internal */
export const _implementations = { runTwinkit, runHandWritten };
