/**
 * Estimation benchmarks: Kalman filter and EKF steps (predict + update) per second with 4 states and
 * 2 measurements, against the same algorithm hand-written on Float64Array with fixed sizes (the
 * fastest plain-JS reference) and written with ml-matrix (the generic matrix library), in one run.
 *
 * KF: 2-D constant velocity, position measured. EKF: the same motion, range and bearing measured
 * from the origin (analytic Jacobian). Both use the Joseph-form covariance update.
 */
import { RandomStream } from '@twinkit/core';
import { ExtendedKalmanFilter, KalmanFilter } from '@twinkit/estimation';
import { inverse, Matrix } from 'ml-matrix';
import { type BenchCase, compareRates, rateResult } from '../harness';

const DT = 0.1;
const F = [
  [1, 0, DT, 0],
  [0, 1, 0, DT],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];
const q = 0.05;
const Q = [
  [(q * DT ** 4) / 4, 0, (q * DT ** 3) / 2, 0],
  [0, (q * DT ** 4) / 4, 0, (q * DT ** 3) / 2],
  [(q * DT ** 3) / 2, 0, q * DT ** 2, 0],
  [0, (q * DT ** 3) / 2, 0, q * DT ** 2],
];
const H = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
];
const R = [
  [0.25, 0],
  [0, 0.25],
];
const RB = [
  [0.01, 0],
  [0, 0.0004],
];
const X0 = [10, 5, 1, 0.5];
const P0 = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];

/** Measurements of a simulated target: positions and range/bearing. */
function measurements(steps: number): { position: number[][]; rangeBearing: number[][] } {
  const rng = new RandomStream({ seed: 7, name: 'bench-kf', replication: 0, forkPath: '' });
  let [x, y, vx, vy] = X0 as [number, number, number, number];
  const position: number[][] = [];
  const rangeBearing: number[][] = [];
  for (let k = 0; k < steps; k++) {
    vx += rng.normal(0, Math.sqrt(q * DT));
    vy += rng.normal(0, Math.sqrt(q * DT));
    x += vx * DT;
    y += vy * DT;
    position.push([x + rng.normal(0, 0.5), y + rng.normal(0, 0.5)]);
    rangeBearing.push([Math.hypot(x, y) + rng.normal(0, 0.1), Math.atan2(y, x) + rng.normal(0, 0.02)]);
  }
  return { position, rangeBearing };
}

function twinkitKalman(zs: number[][]): number {
  const kf = new KalmanFilter({ x0: X0, P0, F, Q, H, R, dt: DT });
  for (const z of zs) {
    kf.predict();
    kf.update(z);
  }
  return kf.x[0]!;
}

const hx = (x: Float64Array) => [Math.sqrt(x[0]! * x[0]! + x[1]! * x[1]!), Math.atan2(x[1]!, x[0]!)];
const Hx = (x: Float64Array) => {
  const r2 = x[0]! * x[0]! + x[1]! * x[1]!;
  const r = Math.sqrt(r2);
  return [
    [x[0]! / r, x[1]! / r, 0, 0],
    [-x[1]! / r2, x[0]! / r2, 0, 0],
  ];
};

function twinkitEkf(zs: number[][]): number {
  const ekf = new ExtendedKalmanFilter({ x0: X0, P0, F, Q, h: hx, H: Hx, R: RB, dt: DT });
  for (const z of zs) {
    ekf.predict();
    ekf.update(z);
  }
  return ekf.x[0]!;
}

/**
 * The hand-written reference: the same Joseph-form filter on Float64Array with fixed sizes n = 4,
 * m = 2, preallocated buffers and a closed-form 2x2 inverse. `nonlinear` switches to the EKF
 * (range/bearing h and its Jacobian).
 */
function handWritten(zs: number[][], nonlinear: boolean): number {
  const n = 4;
  const m = 2;
  const f = new Float64Array(F.flat());
  const qm = new Float64Array(Q.flat());
  const r = new Float64Array((nonlinear ? RB : R).flat());
  const x = new Float64Array(X0);
  const P = new Float64Array(P0.flat());
  const xp = new Float64Array(n);
  const FP = new Float64Array(n * n);
  const h = new Float64Array(m * n);
  const PHt = new Float64Array(n * m);
  const S = new Float64Array(m * m);
  const K = new Float64Array(n * m);
  const A = new Float64Array(n * n);
  const AP = new Float64Array(n * n);
  const y = new Float64Array(m);
  for (let i = 0; i < n; i++) h[i * 1] = 0;
  h.set(H.flat());
  for (const z of zs) {
    // predict
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += f[i * n + j]! * x[j]!;
      xp[i] = s;
    }
    x.set(xp);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += f[i * n + k]! * P[k * n + j]!;
        FP[i * n + j] = s;
      }
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = qm[i * n + j]!;
        for (let k = 0; k < n; k++) s += FP[i * n + k]! * f[j * n + k]!;
        P[i * n + j] = s;
      }
    // update
    if (nonlinear) {
      const r2 = x[0]! * x[0]! + x[1]! * x[1]!;
      const rr = Math.sqrt(r2);
      h[0] = x[0]! / rr;
      h[1] = x[1]! / rr;
      h[4] = -x[1]! / r2;
      h[5] = x[0]! / r2;
      y[0] = z[0]! - rr;
      y[1] = z[1]! - Math.atan2(x[1]!, x[0]!);
    } else {
      y[0] = z[0]! - x[0]!;
      y[1] = z[1]! - x[1]!;
    }
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += P[i * n + k]! * h[j * n + k]!;
        PHt[i * m + j] = s;
      }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        let s = r[i * m + j]!;
        for (let k = 0; k < n; k++) s += h[i * n + k]! * PHt[k * m + j]!;
        S[i * m + j] = s;
      }
    const det = S[0]! * S[3]! - S[1]! * S[2]!;
    const i00 = S[3]! / det;
    const i01 = -S[1]! / det;
    const i10 = -S[2]! / det;
    const i11 = S[0]! / det;
    for (let i = 0; i < n; i++) {
      const a = PHt[i * m]!;
      const b = PHt[i * m + 1]!;
      K[i * m] = a * i00 + b * i10;
      K[i * m + 1] = a * i01 + b * i11;
      x[i] = x[i]! + K[i * m]! * y[0]! + K[i * m + 1]! * y[1]!;
    }
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        A[i * n + j] = (i === j ? 1 : 0) - K[i * m]! * h[j]! - K[i * m + 1]! * h[n + j]!;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += A[i * n + k]! * P[k * n + j]!;
        AP[i * n + j] = s;
      }
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += AP[i * n + k]! * A[j * n + k]!;
        // + K R Kᵀ
        for (let a = 0; a < m; a++)
          for (let b = 0; b < m; b++) s += K[i * m + a]! * r[a * m + b]! * K[j * m + b]!;
        P[i * n + j] = s;
      }
  }
  return x[0]!;
}

/** The same linear filter written with ml-matrix. */
function mlMatrixKalman(zs: number[][]): number {
  const f = new Matrix(F);
  const ft = f.transpose();
  const qm = new Matrix(Q);
  const h = new Matrix(H);
  const ht = h.transpose();
  const r = new Matrix(R);
  const I = Matrix.eye(4);
  let x = Matrix.columnVector(X0);
  let P = new Matrix(P0);
  for (const z of zs) {
    x = f.mmul(x);
    P = f.mmul(P).mmul(ft).add(qm);
    const y = Matrix.columnVector(z).sub(h.mmul(x));
    const PHt = P.mmul(ht);
    const S = h.mmul(PHt).add(r);
    const K = PHt.mmul(inverse(S));
    x = x.add(K.mmul(y));
    const A = I.sub(K.mmul(h));
    P = A.mmul(P).mmul(A.transpose()).add(K.mmul(r).mmul(K.transpose()));
  }
  return x.get(0, 0);
}

export const cases: BenchCase[] = [
  {
    suite: 'estimation',
    name: 'kalman-4x2',
    run({ quick }) {
      const steps = quick ? 20_000 : 200_000;
      const { position, rangeBearing } = measurements(steps);
      // The three linear implementations must agree before their speed means anything.
      const a = twinkitKalman(position.slice(0, 500));
      const b = handWritten(position.slice(0, 500), false);
      const c = mlMatrixKalman(position.slice(0, 500));
      const e = twinkitEkf(rangeBearing.slice(0, 500));
      const d = handWritten(rangeBearing.slice(0, 500), true);
      if (Math.abs(a - b) > 1e-9 || Math.abs(a - c) > 1e-9 || Math.abs(e - d) > 1e-9) {
        throw new Error(`implementations disagree: KF ${a} / ${b} / ${c}, EKF ${e} / ${d}`);
      }
      const rates = compareRates(
        {
          kf: { work: steps, fn: () => twinkitKalman(position) },
          kfHand: { work: steps, fn: () => handWritten(position, false) },
          kfMlMatrix: { work: steps, fn: () => mlMatrixKalman(position) },
          ekf: { work: steps, fn: () => twinkitEkf(rangeBearing) },
          ekfHand: { work: steps, fn: () => handWritten(rangeBearing, true) },
        },
        { rounds: quick ? 2 : 5 },
      );
      const note = 'predict + update per second, 4 states, 2 measurements, Joseph form';
      return [
        rateResult(
          'estimation',
          'kalman-4x2',
          'KalmanFilter steps/s',
          'steps/s',
          rates['kf']!,
          { name: 'hand-written Float64Array', value: rates['kfHand']! },
          { goal: 0.5, note },
        ),
        rateResult(
          'estimation',
          'kalman-4x2',
          'ml-matrix KF steps/s',
          'steps/s',
          rates['kfMlMatrix']!,
          { name: 'hand-written Float64Array', value: rates['kfHand']! },
          { note: 'the same filter on ml-matrix: why the filters use their own kernel' },
        ),
        rateResult(
          'estimation',
          'kalman-4x2',
          'ExtendedKalmanFilter steps/s',
          'steps/s',
          rates['ekf']!,
          { name: 'hand-written Float64Array', value: rates['ekfHand']! },
          { goal: 0.5, note: `${note}, range/bearing with analytic Jacobian` },
        ),
      ];
    },
  },
];
