import { describe, expect, it } from 'vitest';
import { accuracy, crossValidate, type Prediction, phm08 } from './cv';
import { loadCmapss } from './data';
import { DEFAULT_SETTINGS } from './model';

describe('the accuracy of remaining-life predictions', () => {
  // d = predicted − true: 3 (late), −13 (early), 0.
  const predictions: Prediction[] = [
    { unit: 1, cut: 90, truth: 10, rul: 13, lo90: 5, hi90: 20 },
    { unit: 2, cut: 80, truth: 20, rul: 7, lo90: 8, hi90: 15 },
    { unit: 3, cut: 50, truth: 50, rul: 50, lo90: 40, hi90: 60 },
  ];

  it('computes RMSE, the PHM08 score, coverage and width by hand', () => {
    const a = accuracy(predictions);
    expect(a.n).toBe(3);
    expect(a.rmse).toBeCloseTo(Math.sqrt((9 + 169 + 0) / 3), 12); // 7.7028
    expect(a.rmse).toBeCloseTo(7.702813, 5);
    // exp(3/10) − 1 + exp(13/13) − 1 + 0 = 0.349859 + 1.718282
    expect(a.score).toBeCloseTo(2.068141, 5);
    expect(a.meanScore).toBeCloseTo(2.068141 / 3, 5);
    expect(a.bias).toBeCloseTo(-10 / 3, 12);
    expect(a.coverage).toBeCloseTo(2 / 3, 12); // 20 is outside [8, 15]
    expect(a.width).toBeCloseTo((15 + 7 + 20) / 3, 12);
  });

  it('caps the truth and the predictions', () => {
    const a = accuracy(predictions, 30);
    expect(a.rmse).toBeCloseTo(7.702813, 5); // 50 and 50 both become 30
    expect(a.coverage).toBeCloseTo(2 / 3, 12); // 30 in [30, 30]
    expect(a.width).toBeCloseTo((15 + 7 + 0) / 3, 12);
  });

  it('punishes late predictions more than early ones', () => {
    expect(phm08(10)).toBeCloseTo(Math.E - 1, 12);
    expect(phm08(-13)).toBeCloseTo(Math.E - 1, 12);
    expect(phm08(5)).toBeGreaterThan(phm08(-5));
    expect(phm08(0)).toBe(0);
  });

  it('refuses an empty set', () => {
    expect(() => accuracy([])).toThrow(/accuracy\(predictions\): predictions must not be empty/);
  });

  it('cross-validates by engine: every held-out engine cut inside its life, truth = life − cut', () => {
    const engines = loadCmapss('train_FD001.txt').slice(0, 12);
    const settings = { ...DEFAULT_SETTINGS, samples: 200, noiseEvery: 3 };
    const predictions = crossValidate(engines, { folds: 3, cutsPerEngine: 2, settings });
    expect(predictions).toHaveLength(24);
    const life = new Map(engines.map((e) => [e.unit, e.cycles.length]));
    expect(new Set(predictions.map((p) => p.unit)).size).toBe(12);
    for (const p of predictions) {
      expect(p.cut).toBeGreaterThanOrEqual(31);
      expect(p.cut).toBeLessThan(life.get(p.unit)!);
      expect(p.truth).toBe(life.get(p.unit)! - p.cut);
      expect(p.lo90).toBeLessThanOrEqual(p.rul);
      expect(p.rul).toBeLessThanOrEqual(p.hi90);
    }
    expect(() => crossValidate(engines, { folds: 1 })).toThrow(
      /folds must be an integer from 2 to the number of engines \(12\), got 1/,
    );
  });
});
