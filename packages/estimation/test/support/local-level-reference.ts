// Computes fixtures/local-level/local_level_mle.json: the maximum-likelihood variances of a
// local-level model (random walk plus noise) by a method that shares nothing with the Kalman
// filter. The observations y_1..y_n are jointly normal, y ~ N(0, Σ), with
//   Σ_ij = P0 + min(i, j)·q + r·[i = j]   (i, j from 0; μ_0 ~ N(0, P0), μ_t = μ_{t−1} + η, η ~ N(0, q), y_t = μ_t + ε, ε ~ N(0, r)),
// so log L(q, r) = −½ (n log 2π + log det Σ + yᵀ Σ⁻¹ y) is evaluated with ml-matrix's Cholesky
// decomposition of the n×n matrix, and maximized on a 41×41 grid of (log q, log r) refined by
// zooming the grid around its best point (a different optimizer from Nelder-Mead).
//
// Regenerate with: npx tsx --conditions=@twinkit/source packages/estimation/test/support/local-level-reference.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RandomStream } from '@twinkit/core';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

export const LOCAL_LEVEL_SETTINGS = { n: 100, q: 0.5, r: 1.0, P0: 10, seed: 2026 } as const;

/** Simulates the local-level series of the fixture. */
export function simulateLocalLevel(n: number, q: number, r: number, P0: number, seed: number): number[] {
  const rng = new RandomStream({ seed, name: 'local-level', replication: 0, forkPath: '' });
  let level = rng.normal(0, Math.sqrt(P0));
  const y: number[] = [];
  for (let t = 0; t < n; t++) {
    if (t > 0) level += rng.normal(0, Math.sqrt(q));
    y.push(level + rng.normal(0, Math.sqrt(r)));
  }
  return y;
}

/** The exact Gaussian log-likelihood of y under the local-level model, from the full covariance matrix. */
export function exactLogLikelihood(y: readonly number[], q: number, r: number, P0: number): number {
  const n = y.length;
  const sigma = new Matrix(n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) sigma.set(i, j, P0 + Math.min(i, j) * q + (i === j ? r : 0));
  const chol = new CholeskyDecomposition(sigma);
  if (!chol.isPositiveDefinite()) return -Infinity;
  const L = chol.lowerTriangularMatrix;
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(L.get(i, i));
  const alpha = chol.solve(Matrix.columnVector([...y]));
  let quad = 0;
  for (let i = 0; i < n; i++) quad += y[i]! * alpha.get(i, 0);
  return -0.5 * (n * Math.log(2 * Math.PI) + logDet + quad);
}

/** Maximizes exactLogLikelihood over (log q, log r) by a zooming grid. */
export function gridMle(y: readonly number[], P0: number): { q: number; r: number; logLikelihood: number } {
  let center = [Math.log(0.5), Math.log(0.5)];
  let half = 4; // ±4 in log units: q, r from 0.009 to 27
  let best = { lq: center[0]!, lr: center[1]!, ll: -Infinity };
  for (let round = 0; round < 14; round++) {
    const k = 20;
    for (let a = -k; a <= k; a++)
      for (let b = -k; b <= k; b++) {
        const lq = center[0]! + (half * a) / k;
        const lr = center[1]! + (half * b) / k;
        const ll = exactLogLikelihood(y, Math.exp(lq), Math.exp(lr), P0);
        if (ll > best.ll) best = { lq, lr, ll };
      }
    center = [best.lq, best.lr];
    half /= 4;
  }
  return { q: Math.exp(best.lq), r: Math.exp(best.lr), logLikelihood: best.ll };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { n, q, r, P0, seed } = LOCAL_LEVEL_SETTINGS;
  const y = simulateLocalLevel(n, q, r, P0, seed);
  const mle = gridMle(y, P0);
  const out = {
    description:
      'Local-level model y_t = mu_t + eps_t, mu_t = mu_{t-1} + eta_t, mu_0 ~ N(0, P0), eta ~ N(0, q), eps ~ N(0, r). ' +
      'MLE of (q, r) with P0 known, from the exact multivariate normal likelihood of all observations (full covariance matrix, ' +
      'ml-matrix Cholesky), maximized by a zooming grid on (log q, log r); see packages/estimation/test/support/local-level-reference.ts.',
    generated: {
      ...LOCAL_LEVEL_SETTINGS,
      stream: "RandomStream({ seed, name: 'local-level', replication: 0, forkPath: '' })",
    },
    data: y,
    mle,
  };
  const path = fileURLToPath(
    new URL('../../../../fixtures/local-level/local_level_mle.json', import.meta.url),
  );
  writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
  console.log(path, mle);
}
