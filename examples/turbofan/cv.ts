/**
 * Accuracy of remaining-life predictions: RMSE, the PHM08 score, the 90% interval's coverage and
 * width; and k-fold cross-validation by engine on run-to-failure data.
 */
import { RandomStream } from '@twinkit/core';
import { invalidArgument } from '../support/invalid-argument';
import type { Engine } from './data';
import { calibrateTwin, DEFAULT_SETTINGS, forecastLife, healthSeries, type TwinSettings } from './model';

/** One prediction against the truth. */
export interface Prediction {
  unit: number;
  /** The last observed cycle. */
  cut: number;
  truth: number;
  rul: number;
  lo90: number;
  hi90: number;
}

/** Accuracy of a set of predictions. */
export interface Accuracy {
  n: number;
  rmse: number;
  /** Mean error, predicted − true (positive: late). */
  bias: number;
  /** PHM08 score: Σ exp(−d/13) − 1 for d < 0, exp(d/10) − 1 for d ≥ 0, d = predicted − true. */
  score: number;
  /** The score per prediction (score / n), comparable between sets of different sizes. */
  meanScore: number;
  /** Share of truths inside [lo90, hi90]. */
  coverage: number;
  /** Mean of hi90 − lo90. */
  width: number;
}

/** The PHM08 score of one error d = predicted − true. */
export function phm08(d: number): number {
  return d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1;
}

/**
 * The accuracy of predictions; with `cap`, truth and predictions (point and interval) are capped
 * at `cap` cycles first (the piecewise-linear convention of the literature); with `capTruth` false,
 * only the predictions are capped (a model trained on a capped target, judged on the true RUL).
 */
export function accuracy(
  predictions: readonly Prediction[],
  cap = Number.POSITIVE_INFINITY,
  capTruth = true,
): Accuracy {
  if (predictions.length === 0)
    throw invalidArgument(
      'accuracy(predictions)',
      'predictions must not be empty',
      0,
      'Pass at least one prediction.',
    );
  if (!(cap > 0)) throw invalidArgument('accuracy(predictions, cap)', 'cap must be positive', cap);
  let se = 0;
  let sum = 0;
  let score = 0;
  let covered = 0;
  let width = 0;
  for (const p of predictions) {
    const truth = capTruth ? Math.min(p.truth, cap) : p.truth;
    const rul = Math.min(p.rul, cap);
    const lo = Math.min(p.lo90, cap);
    const hi = Math.min(p.hi90, cap);
    const d = rul - truth;
    se += d * d;
    sum += d;
    score += phm08(d);
    if (truth >= lo && truth <= hi) covered++;
    width += hi - lo;
  }
  const n = predictions.length;
  return {
    n,
    rmse: Math.sqrt(se / n),
    bias: sum / n,
    score,
    meanScore: score / n,
    coverage: covered / n,
    width: width / n,
  };
}

/** Options of {@link crossValidate}. */
export interface CrossValidationOptions {
  folds: number;
  /** Random cut points per held-out engine. */
  cutsPerEngine: number;
  /** The earliest cut (cycles observed at least); the test engines are observed from 31 cycles. */
  minCycles: number;
  seed: number;
  settings: TwinSettings;
  /**
   * Cycles observed in the test set (one per test engine): when given, each cut is drawn from those
   * shorter than the held-out engine's life (the test set's distribution of observed lengths),
   * instead of uniformly from [minCycles, life − 1].
   */
  observedLengths?: readonly number[];
}

export const DEFAULT_CV: CrossValidationOptions = {
  folds: 5,
  cutsPerEngine: 5,
  minCycles: 31,
  seed: 19,
  settings: DEFAULT_SETTINGS,
};

/**
 * k-fold cross-validation by engine: engines are shuffled into `folds` groups; for each group the
 * twin is calibrated on the others, and each held-out engine is cut at `cutsPerEngine` cycles drawn
 * uniformly from [minCycles, life − 1] and its remaining life predicted from the cycles up to the cut.
 */
export function crossValidate(
  engines: readonly Engine[],
  options: Partial<CrossValidationOptions> = {},
): Prediction[] {
  const o = { ...DEFAULT_CV, ...options };
  if (!Number.isInteger(o.folds) || o.folds < 2 || o.folds > engines.length)
    throw invalidArgument(
      'crossValidate(engines, options)',
      `folds must be an integer from 2 to the number of engines (${engines.length})`,
      o.folds,
    );
  const rng = new RandomStream({ seed: o.seed, name: 'turbofan/cv', replication: 0, forkPath: '' });
  const order = engines.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const predictions: Prediction[] = [];
  for (let f = 0; f < o.folds; f++) {
    const held = new Set(order.filter((_, i) => i % o.folds === f));
    const train = engines.filter((_, i) => !held.has(i));
    const model = calibrateTwin(train, o.settings);
    for (const i of [...held].sort((a, b) => a - b)) {
      const e = engines[i]!;
      const life = e.cycles.length;
      const health = healthSeries(model.hi, e);
      for (let c = 0; c < o.cutsPerEngine; c++) {
        let cut: number;
        const lengths = o.observedLengths?.filter((n) => n < life) ?? [];
        if (lengths.length > 0) cut = lengths[Math.floor(rng.next() * lengths.length)]!;
        else {
          const low = Math.min(o.minCycles, life - 1);
          cut = low + Math.floor(rng.next() * (life - low));
        }
        const f = forecastLife(model, health.slice(0, cut), o.settings);
        predictions.push({ unit: e.unit, cut, truth: life - cut, rul: f.rul, lo90: f.lo90, hi90: f.hi90 });
      }
    }
  }
  return predictions;
}
