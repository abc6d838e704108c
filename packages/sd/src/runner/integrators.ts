/**
 * The integration methods of a run: fixed-step Euler, RK2 (Heun) and RK4, and adaptive
 * Dormand–Prince (RK45) with relative and absolute tolerances. Each moves the stocks of the value
 * array over one step (RK45: over an interval, in adaptive steps) with the model's generated
 * `aux` and `rates` functions.
 */
import type { CompiledModel } from '../compiler';
import type { RuntimeContext } from '../compiler/runtime';
import type { IntegrationMethod } from '../model';

// Dormand–Prince 5(4) coefficients.
const A21 = 1 / 5;
const A31 = 3 / 40;
const A32 = 9 / 40;
const A41 = 44 / 45;
const A42 = -56 / 15;
const A43 = 32 / 9;
const A51 = 19372 / 6561;
const A52 = -25360 / 2187;
const A53 = 64448 / 6561;
const A54 = -212 / 729;
const A61 = 9017 / 3168;
const A62 = -355 / 33;
const A63 = 46732 / 5247;
const A64 = 49 / 176;
const A65 = -5103 / 18656;
const B1 = 35 / 384;
const B3 = 500 / 1113;
const B4 = 125 / 192;
const B5 = -2187 / 6784;
const B6 = 11 / 84;
const E1 = 71 / 57600;
const E3 = -71 / 16695;
const E4 = 71 / 1920;
const E5 = -17253 / 339200;
const E6 = 22 / 525;
const E7 = -1 / 40;
const RK2_WEIGHTS = [1 / 2, 1 / 2];
const RK4_WEIGHTS = [1 / 6, 1 / 3, 1 / 3, 1 / 6];
const RK45_WEIGHTS = [B1, 0, B3, B4, B5, B6];

/** Integrates the stocks of one run's value array. @internal */
export class Integrator {
  /** The next step of `rk45` (kept between intervals and saved with the run). */
  adaptiveStep: number;
  private readonly d: Float64Array;
  private readonly k: Float64Array[];
  private readonly y0: Float64Array;
  /** Slots of every limited outflow (all non-negative stocks, upstream first). */
  private readonly limited: Int32Array;
  /** The limited outflows at each stage of the current step (RK methods). */
  private readonly stageFlows: Float64Array[];

  constructor(
    private readonly model: CompiledModel,
    private readonly values: Float64Array,
    private readonly context: RuntimeContext,
    private readonly rtol: number,
    private readonly atol: number,
    dt: number,
  ) {
    const n = model.stockCount;
    this.d = new Float64Array(model.slotCount);
    this.k = Array.from({ length: 7 }, () => new Float64Array(n));
    this.y0 = new Float64Array(n);
    this.adaptiveStep = dt;
    this.limited = Int32Array.from(model.outflowLimits.flatMap((l) => [...l.outflows]));
    this.stageFlows =
      this.limited.length > 0 ? Array.from({ length: 7 }, () => new Float64Array(this.limited.length)) : [];
  }

  /** Moves the stocks from time `t` to `target` with `method` (equations evaluated at `t`). */
  step(method: IntegrationMethod, t: number, target: number): void {
    const h = target - t;
    switch (method) {
      case 'euler':
        this.euler(t, h);
        break;
      case 'rk2':
        this.rk2(t, h);
        break;
      case 'rk4':
        this.rk4(t, h);
        break;
      case 'rk45':
        this.rk45(t, target);
        break;
    }
  }

  /** Holds non-negative stocks at zero: only rounding is left once outflows are limited. */
  private clampNonNegative(): void {
    const v = this.values;
    const list = this.model.nonNegativeStocks;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (v[s]! < 0) v[s] = 0;
    }
  }

  /** Keeps the limited outflows of RK stage `j` (their values as the last `aux` left them). */
  private recordFlows(j: number): void {
    const limited = this.limited;
    if (limited.length === 0) return;
    const row = this.stageFlows[j]!;
    const v = this.values;
    for (let i = 0; i < limited.length; i++) row[i] = v[limited[i]!]!;
  }

  /**
   * Ends an RK step of size `h` whose stocks were combined with stage weights `weights`. Each stage
   * limited its outflows, but the combination of the stages may still take a non-negative stock
   * below zero; the outflows over the step (the weighted sum of their stage values) are then cut,
   * lowest priority first, by exactly the shortfall, and what an outflow no longer takes is taken
   * back from the stock it fills: the step stays conservative, and the stock ends at zero.
   */
  private settle(h: number, weights: readonly number[]): void {
    const limits = this.model.outflowLimits;
    if (limits.length > 0) {
      const v = this.values;
      const rows = this.stageFlows;
      let offset = 0;
      for (const limit of limits) {
        const count = limit.outflows.length;
        let shortfall = -v[limit.stock]!;
        for (let k = count - 1; k >= 0 && shortfall > 0; k--) {
          let moved = 0;
          for (let j = 0; j < weights.length; j++) moved += weights[j]! * rows[j]![offset + k]!;
          moved *= h;
          if (moved <= 0) continue;
          const cut = Math.min(moved, shortfall);
          v[limit.stock] = v[limit.stock]! + cut;
          const to = limit.to[k]!;
          if (to >= 0) v[to] = v[to]! - cut;
          shortfall -= cut;
        }
        offset += count;
      }
    }
    this.clampNonNegative();
  }

  euler(t: number, h: number): void {
    const v = this.values;
    const d = this.d;
    const n = this.model.stockCount;
    this.model.functions.rates(v, this.context, t, d);
    for (let i = 0; i < n; i++) v[i] = v[i]! + h * d[i]!;
    this.clampNonNegative();
  }

  private rates(time: number, into: Float64Array): void {
    const f = this.model.functions;
    f.aux(this.values, this.context, time);
    f.rates(this.values, this.context, time, this.d);
    into.set(this.d.subarray(0, into.length));
  }

  rk2(t: number, h: number): void {
    const v = this.values;
    const n = this.model.stockCount;
    const [k1, k2] = this.k as [Float64Array, Float64Array];
    const y0 = this.y0;
    y0.set(v.subarray(0, n));
    this.model.functions.rates(v, this.context, t, this.d);
    k1.set(this.d.subarray(0, n));
    this.recordFlows(0);
    for (let i = 0; i < n; i++) v[i] = y0[i]! + h * k1[i]!;
    this.rates(t + h, k2);
    this.recordFlows(1);
    for (let i = 0; i < n; i++) v[i] = y0[i]! + (h / 2) * (k1[i]! + k2[i]!);
    this.settle(h, RK2_WEIGHTS);
  }

  rk4(t: number, h: number): void {
    const v = this.values;
    const n = this.model.stockCount;
    const [k1, k2, k3, k4] = this.k as [Float64Array, Float64Array, Float64Array, Float64Array];
    const y0 = this.y0;
    y0.set(v.subarray(0, n));
    this.model.functions.rates(v, this.context, t, this.d);
    k1.set(this.d.subarray(0, n));
    this.recordFlows(0);
    for (let i = 0; i < n; i++) v[i] = y0[i]! + (h / 2) * k1[i]!;
    this.rates(t + h / 2, k2);
    this.recordFlows(1);
    for (let i = 0; i < n; i++) v[i] = y0[i]! + (h / 2) * k2[i]!;
    this.rates(t + h / 2, k3);
    this.recordFlows(2);
    for (let i = 0; i < n; i++) v[i] = y0[i]! + h * k3[i]!;
    this.rates(t + h, k4);
    this.recordFlows(3);
    for (let i = 0; i < n; i++) v[i] = y0[i]! + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
    this.settle(h, RK4_WEIGHTS);
  }

  /** Adaptive Dormand–Prince from the current time to `target`, steps chosen from rtol/atol. */
  rk45(from: number, target: number): void {
    const v = this.values;
    const n = this.model.stockCount;
    const [k1, k2, k3, k4, k5, k6, k7] = this.k as Float64Array[] as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const y0 = this.y0;
    let t = from;
    let h = Math.min(this.adaptiveStep, target - t);
    const minStep = Math.abs(target) * 1e-13 + 1e-13;
    while (t < target) {
      if (t + h > target) h = target - t;
      y0.set(v.subarray(0, n));
      this.rates(t, k1);
      this.recordFlows(0);
      const stage = (coef: number[], ks: Float64Array[]) => {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < ks.length; j++) s += coef[j]! * ks[j]![i]!;
          v[i] = y0[i]! + h * s;
        }
      };
      stage([A21], [k1]);
      this.rates(t + h / 5, k2);
      this.recordFlows(1);
      stage([A31, A32], [k1, k2]);
      this.rates(t + (3 * h) / 10, k3);
      this.recordFlows(2);
      stage([A41, A42, A43], [k1, k2, k3]);
      this.rates(t + (4 * h) / 5, k4);
      this.recordFlows(3);
      stage([A51, A52, A53, A54], [k1, k2, k3, k4]);
      this.rates(t + (8 * h) / 9, k5);
      this.recordFlows(4);
      stage([A61, A62, A63, A64, A65], [k1, k2, k3, k4, k5]);
      this.rates(t + h, k6);
      this.recordFlows(5);
      stage([B1, 0, B3, B4, B5, B6], [k1, k2, k3, k4, k5, k6]);
      this.rates(t + h, k7);
      let err = 0;
      for (let i = 0; i < n; i++) {
        const e = h * (E1 * k1[i]! + E3 * k3[i]! + E4 * k4[i]! + E5 * k5[i]! + E6 * k6[i]! + E7 * k7[i]!);
        const scale = this.atol + this.rtol * Math.max(Math.abs(y0[i]!), Math.abs(v[i]!));
        err = Math.max(err, Math.abs(e) / scale);
      }
      if (err <= 1 || h <= minStep) {
        t += h;
        this.settle(h, RK45_WEIGHTS);
        const grow = err === 0 ? 5 : Math.min(5, 0.9 * err ** -0.2);
        this.adaptiveStep = h * grow;
        h = this.adaptiveStep;
      } else {
        v.set(y0, 0);
        h = h * Math.max(0.1, 0.9 * err ** -0.2);
      }
    }
  }
}
