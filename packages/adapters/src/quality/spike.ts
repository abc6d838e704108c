/**
 * The median spike test of one sensor: a ring of its last `window` values and two scratch arrays,
 * all allocated once, so judging a reading allocates nothing.
 *
 * A value is a spike when, with the window holding it and the `window - 1` values before it,
 * `|value - median| > max(k * 1.4826 * MAD, minDeviation)`, where MAD is the median absolute
 * deviation from the median (1.4826 * MAD estimates the standard deviation of normal noise: the
 * Hampel identifier). Every value enters the window, spikes included, so a real change of level is
 * accepted from its `ceil(window / 2)`-th sample on (the third, for a window of 5). Nothing is judged
 * until the window is full.
 */
export class SpikeWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private readonly deviations: Float64Array;
  private count = 0;
  private next = 0;

  /** Creates the window; `window` is odd and >= 3. */
  constructor(
    private readonly window: number,
    private readonly k: number,
    private readonly minDeviation: number,
  ) {
    this.ring = new Float64Array(window);
    this.sorted = new Float64Array(window);
    this.deviations = new Float64Array(window);
  }

  /** Adds `value` to the window and tells whether it is a spike. */
  isSpike(value: number): boolean {
    this.ring[this.next] = value;
    this.next = (this.next + 1) % this.window;
    if (this.count < this.window) {
      this.count += 1;
      if (this.count < this.window) return false;
    }
    const median = medianOf(this.ring, this.sorted);
    const ring = this.ring;
    const deviations = this.deviations;
    for (let i = 0; i < ring.length; i++) deviations[i] = Math.abs((ring[i] as number) - median);
    const mad = medianOf(deviations, this.sorted);
    const threshold = Math.max(this.k * 1.4826 * mad, this.minDeviation);
    return Math.abs(value - median) > threshold;
  }
}

/** The median of `values` (odd length), sorted into `scratch` by insertion: windows are tiny. */
function medianOf(values: Float64Array, scratch: Float64Array): number {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    let j = i - 1;
    while (j >= 0 && (scratch[j] as number) > v) {
      scratch[j + 1] = scratch[j] as number;
      j--;
    }
    scratch[j + 1] = v;
  }
  return scratch[n >> 1] as number;
}
