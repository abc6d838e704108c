import { createStream } from '@twinkit/core/internal';
import { describe, expect, it } from 'vitest';
import { SdModel } from '../model';
import { SdRun, simulate } from '../runner';

function model(dt = 0.01, stop = 10) {
  return new SdModel({ start: 0, stop, dt, method: 'rk4' });
}

function at(results: ReturnType<typeof simulate>, name: string, t: number): number {
  const i = results.times.findIndex((x) => Math.abs(x - t) < 1e-9);
  expect(i).toBeGreaterThanOrEqual(0);
  return results.series(name)[i]!;
}

describe('builtins against closed forms', () => {
  it('SMTH1, DELAY1 and DELAY3 of a step follow the first- and third-order responses', () => {
    const m = model();
    m.aux('input', 'STEP(10, 1)');
    m.aux('smooth', 'SMTH1(input, 2)');
    m.aux('delayed', 'DELAY1(input, 2)');
    m.aux('delayed3', 'DELAY3(input, 3)');
    m.aux('smooth3', 'SMTH3(input, 3)');
    m.aux('delayedN', 'DELAYN(input, 3, 3)');
    const r = simulate(m);
    for (const t of [1.5, 2, 4, 7, 10]) {
      const first = 10 * (1 - Math.exp(-(t - 1) / 2));
      const x = (3 * (t - 1)) / 3;
      const third = 10 * (1 - Math.exp(-x) * (1 + x + (x * x) / 2));
      // The step switches inside a step of the RK4 grid: allow the one-step offset that causes.
      expect(Math.abs(at(r, 'smooth', t) - first)).toBeLessThan(0.03);
      expect(Math.abs(at(r, 'delayed', t) - first)).toBeLessThan(0.03);
      expect(Math.abs(at(r, 'delayed3', t) - third)).toBeLessThan(0.03);
      expect(at(r, 'smooth3', t)).toBeCloseTo(at(r, 'delayed3', t), 10);
      expect(at(r, 'delayedN', t)).toBeCloseTo(at(r, 'delayed3', t), 10);
    }
  });

  it('SMTH1 with an initial value, smooth of a ramp lags by the averaging time', () => {
    const m = model(0.01, 20);
    m.aux('smooth', 'SMTH1(TIME, 2, -2)');
    const r = simulate(m);
    // Starting on the steady state of a unit ramp, the smooth is exactly time - 2.
    for (const t of [0, 5, 20]) expect(at(r, 'smooth', t)).toBeCloseTo(t - 2, 8);
  });

  it('TREND and FORCST of exponential growth recover the growth rate', () => {
    const m = model(0.01, 10);
    m.aux('input', 'EXP(0.1 * TIME)');
    m.aux('trend', 'TREND(input, 2, 0.1)');
    m.aux('forecast', 'FORCST(input, 2, 5, 0.1)');
    const r = simulate(m);
    for (const t of [0, 3, 10]) {
      expect(at(r, 'trend', t)).toBeCloseTo(0.1, 8);
      expect(at(r, 'forecast', t)).toBeCloseTo(Math.exp(0.1 * t) * 1.5, 6);
    }
  });

  it('PULSE, STEP and RAMP switch at their times', () => {
    const m = new SdModel({ start: 0, stop: 10, dt: 0.5 });
    m.stock('moved', { initial: 0, inflows: ['pulses'] });
    m.flow('pulses', 'PULSE(3, 2, 4)');
    m.aux('step', 'STEP(5, 3)');
    m.aux('ramp', 'RAMP(2, 4, 6)');
    const r = simulate(m);
    // Pulses of volume 3 at t = 2, 6, 10 (each one step of rate 3 / 0.5).
    expect(at(r, 'pulses', 2)).toBe(6);
    expect(at(r, 'pulses', 2.5)).toBe(0);
    expect(at(r, 'moved', 5)).toBe(3);
    expect(at(r, 'moved', 10)).toBe(6);
    expect([at(r, 'step', 2.5), at(r, 'step', 3)]).toEqual([0, 5]);
    expect([at(r, 'ramp', 4), at(r, 'ramp', 5), at(r, 'ramp', 8)]).toEqual([0, 2, 4]);
  });

  it('INIT keeps the initial value, PREVIOUS the value of the previous step', () => {
    const m = new SdModel({ start: 0, stop: 4, dt: 1 });
    m.stock('s', { initial: 5, inflows: ['f'] });
    m.flow('f', 2);
    m.aux('first', 'INIT(s)');
    m.aux('before', 'PREVIOUS(s, -1)');
    const r = simulate(m);
    expect(Array.from(r.series('first'))).toEqual([5, 5, 5, 5, 5]);
    expect(Array.from(r.series('before'))).toEqual([-1, 5, 7, 9, 11]);
  });

  it('fixed DELAY returns the input of time - delay, the initial value before', () => {
    const m = new SdModel({ start: 0, stop: 6, dt: 1 });
    m.aux('input', 'TIME * 10');
    m.aux('late', 'DELAY(input, 2, -1)');
    m.aux('late0', 'DELAY(input + 1, 2)');
    const r = simulate(m);
    expect(Array.from(r.series('late'))).toEqual([-1, -1, 0, 10, 20, 30, 40]);
    expect(Array.from(r.series('late0'))).toEqual([1, 1, 1, 11, 21, 31, 41]);
  });

  it('graphical functions: continuous clamps, extrapolate extends, discrete steps', () => {
    const m = new SdModel({ start: 0, stop: 4, dt: 1 });
    const points = { x: [1, 2, 3], y: [10, 20, 40] };
    m.graphical('clamped', { ...points, input: 'TIME' });
    m.graphical('extended', { ...points, type: 'extrapolate', input: 'TIME' });
    m.graphical('stepped', { ...points, type: 'discrete', input: 'TIME + 0.5' });
    m.graphical('table', points);
    m.aux('called', 'table(2.5)');
    const r = simulate(m);
    expect(Array.from(r.series('clamped'))).toEqual([10, 10, 20, 40, 40]);
    expect(Array.from(r.series('extended'))).toEqual([0, 10, 20, 40, 60]);
    expect(Array.from(r.series('stepped'))).toEqual([10, 10, 20, 40, 40]);
    expect(r.final('called')).toBe(30);
  });

  it('SAFEDIV, XIDZ, ZIDZ, MOD, INT, MIN/MAX and logic', () => {
    const m = new SdModel({ start: 0, stop: 0, dt: 1 });
    m.aux('a', 'SAFEDIV(1, 0) + XIDZ(1, 0, 7) + ZIDZ(6, 3)');
    m.aux('b', 'INT(-1.5) + (7 MOD 3) + MIN(1, -2, 3) + MAX(4, 5)');
    m.aux('c', 'IF 1 < 2 AND NOT (3 = 4) OR 0 THEN 10 ELSE 20');
    const r = simulate(m);
    expect(r.final('a')).toBe(0 + 7 + 2);
    expect(r.final('b')).toBe(-1 + 1 - 2 + 5);
    expect(r.final('c')).toBe(10);
  });

  it('random builtins draw from the given stream: reproducible, and required', () => {
    const build = () => {
      const m = new SdModel({ start: 0, stop: 200, dt: 1 });
      m.aux('noise', 'NORMAL(10, 2)');
      m.aux('u', 'RANDOM(0, 1)');
      return m;
    };
    const run = (seed: number) => {
      const stream = createStream({ seed, name: 'sd', replication: 0, forkPath: '' });
      return simulate(build(), { random: () => stream.next() }).series('noise');
    };
    expect(Array.from(run(1))).toEqual(Array.from(run(1)));
    expect(Array.from(run(1))).not.toEqual(Array.from(run(2)));
    const noise = run(3);
    const mean = noise.reduce((s, x) => s + x, 0) / noise.length;
    expect(Math.abs(mean - 10)).toBeLessThan((4 * 2) / Math.sqrt(noise.length));
    expect(() => new SdRun(build())).toThrow(/options.random is required/);
  });

  it('the Vensim matrix and vector builtins check their argument counts', () => {
    const m = new SdModel({ start: 0, stop: 0, dt: 1 });
    m.aux('inv', 'INVERT_MATRIX_ELEMENT(0, 1, 2, 4, 7, 2, 6)');
    m.aux('sel', 'VECTOR_SELECT(0, 0, 0, 1, 0, 5, 6)');
    const r = simulate(m);
    expect(r.final('inv')).toBeCloseTo(-0.7, 12);
    expect(r.final('sel')).toBe(5);
    const bad = new SdModel({ start: 0, stop: 0, dt: 1 });
    bad.aux('inv', 'INVERT_MATRIX_ELEMENT(0, 0, 2, 1, 2, 3)');
    expect(() => simulate(bad)).toThrow(/takes n \* n = 4 values, got 3/);
    const odd = new SdModel({ start: 0, stop: 0, dt: 1 });
    odd.aux('sel', 'VECTOR_SELECT(0, 0, 0, 1, 0, 5)');
    expect(() => simulate(odd)).toThrow(/needs as many values as selections/);
  });
});
