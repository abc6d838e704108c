/**
 * Test support: confidence intervals by the method of batch means, for the validation tests.
 * Successive waiting times of a queue are correlated, so the observations after the warm-up are split
 * into `batches` consecutive batches whose means are nearly independent, and a t interval is built
 * from those means.
 */

/** Two-sided 99% Student t quantiles t(0.995, df) from standard tables, for the batch counts used. */
const T_995: Record<number, number> = { 19: 2.8609, 29: 2.7564, 39: 2.7079, 49: 2.68 };

/** A point estimate with the half-width of its 99% confidence interval. */
export interface Estimate {
  mean: number;
  halfWidth: number;
}

/** Returns the 99% batch-means interval of `values` (warm-up already removed). */
export function batchMeans(values: ArrayLike<number>, batches = 30): Estimate {
  const t = T_995[batches - 1];
  if (t === undefined) throw new Error(`batchMeans: no t quantile tabulated for ${batches} batches`);
  const size = Math.floor(values.length / batches);
  if (size < 100) throw new Error(`batchMeans: only ${values.length} observations for ${batches} batches`);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let sum = 0;
    for (let i = b * size; i < (b + 1) * size; i++) sum += values[i]!;
    means.push(sum / size);
  }
  const mean = means.reduce((a, m) => a + m, 0) / batches;
  const variance = means.reduce((a, m) => a + (m - mean) ** 2, 0) / (batches - 1);
  return { mean, halfWidth: t * Math.sqrt(variance / batches) };
}

/** Collects observations in order into a growable Float64Array. */
export class Observations {
  private data = new Float64Array(1024);
  private n = 0;

  /** Adds one observation. */
  add(x: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = x;
  }

  /** The observations after the first `skip`. */
  after(skip: number): Float64Array {
    return this.data.subarray(skip, this.n);
  }

  /** Number of observations. */
  get length(): number {
    return this.n;
  }
}
