import { describe, expect, it } from 'vitest';
import { compileModel } from '../compiler';
import { simulate } from '../runner';
import { SdModel } from './model';

const specs = { start: 0, stop: 10, dt: 1 };

describe('SdModel', () => {
  it('mixes equation strings, numbers and functions', () => {
    const m = new SdModel(specs);
    m.stock('Level', { initial: 'start_level * 2', inflows: ['Fill'] });
    m.flow('Fill', (v, t) => v.rate! * (t < 5 ? 1 : 0));
    m.constant('rate', 3);
    m.constant('Start Level', 1);
    const r = simulate(m);
    // Level = 2 + 3 * min(t, 5)
    r.times.forEach((t, i) => {
      expect(r.series('level')[i]).toBe(2 + 3 * Math.min(t, 5));
    });
  });

  it('rejects bad specs, duplicate names and stocks without an initial value', () => {
    expect(() => new SdModel({ start: 0, stop: 10, dt: 0 })).toThrow(/specs.dt must be a finite number > 0/);
    expect(() => new SdModel({ start: 5, stop: 1, dt: 1 })).toThrow(/stop must be >= specs.start/);
    const m = new SdModel(specs);
    m.constant('a', 1);
    expect(() => m.constant('A', 2)).toThrow(/variable names must be unique/);
    expect(() => m.stock('s', {} as never)).toThrow(/stock "s" needs an initial value/);
    expect(() => m.aux('b', 'a +')).toThrow(/equation of "b" does not parse/);
    expect(() => m.aux('c', '  {only a comment} ')).toThrow(/must not be empty/);
    expect(() => m.graphical('g', { x: [0, 1], y: [0] })).toThrow(/as many x-points as y-points/);
    expect(() => m.graphical('g2', { x: [1, 0], y: [0, 1] })).toThrow(/non-decreasing x-points/);
  });

  it('orders auxiliaries by dependency and reports a circular definition naming the cycle', () => {
    const ok = new SdModel(specs);
    ok.aux('c', 'b * 2');
    ok.aux('b', 'a + 1');
    ok.constant('a', 1);
    expect(simulate(ok).final('c')).toBe(4);
    const bad = new SdModel(specs);
    bad.aux('x', 'y + 1');
    bad.aux('y', 'z * 2');
    bad.aux('z', 'x');
    expect(() => compileModel(bad)).toThrow(/circular definition in the initial values: x -> y -> z -> x/);
  });

  it('names the variable for unknown names, unknown functions and division by a literal zero', () => {
    const m1 = new SdModel(specs);
    m1.aux('a', 'missing * 2');
    expect(() => compileModel(m1)).toThrow(
      /variable "a": uses "missing", which is neither a variable nor a builtin/,
    );
    const m2 = new SdModel(specs);
    m2.aux('a', 'FOO(1)');
    expect(() => compileModel(m2)).toThrow(/variable "a": calls unknown function FOO/);
    const m3 = new SdModel(specs);
    m3.aux('a', '1 / 0');
    expect(() => compileModel(m3)).toThrow(/variable "a": divides by a literal zero/);
    const m4 = new SdModel(specs);
    m4.stock('s', { initial: 1, inflows: ['nope'] });
    expect(() => compileModel(m4)).toThrow(/names flow "nope", which does not exist/);
    const m5 = new SdModel(specs);
    m5.aux('a', 'ABS(1, 2)');
    expect(() => compileModel(m5)).toThrow(/calls ABS with 2 arguments; it takes 1/);
  });

  it('fails at run time, naming the variable and time, instead of producing NaN or Infinity', () => {
    const m = new SdModel(specs);
    m.aux('ratio', '1 / (5 - TIME)');
    expect(() => simulate(m)).toThrow(/"ratio" is Infinity at time 5/);
  });

  it('keeps non-negative stocks at or above zero and clamps non-negative flows', () => {
    const m = new SdModel({ start: 0, stop: 5, dt: 1 });
    m.stock('s', { initial: 2, outflows: ['out'], nonNegative: true });
    m.flow('out', 1);
    m.stock('t', { initial: 0, inflows: ['back'] });
    m.flow('back', '-1', { nonNegative: true });
    const r = simulate(m);
    expect(Array.from(r.series('s'))).toEqual([2, 1, 0, 0, 0, 0]);
    expect(r.final('t')).toBe(0);
  });

  it('expands arrays: apply-to-all, element equations, a2a references and reducers', () => {
    const m = new SdModel({ start: 0, stop: 2, dt: 1 });
    m.dimension('City', ['Paris', 'Rome', 'Oslo']);
    m.stock('Pop', { initial: 'base[City] * 10', inflows: ['growth'], dimensions: ['City'] });
    m.flow('growth', 'Pop * 0.5', { dimensions: ['City'] });
    m.aux('base', 0, { dimensions: ['City'], elements: { Paris: 1, Rome: 2, Oslo: 3 } });
    m.aux('total', 'SUM(Pop[*])');
    m.aux('largest', 'MAX(Pop[City])');
    m.aux('mean rome oslo', '(Pop[Rome] + Pop[Oslo]) / 2');
    const r = simulate(m);
    expect(r.series('pop[rome]')[2]).toBe(20 * 1.5 * 1.5);
    expect(r.final('total')).toBe(60 * 2.25);
    expect(r.final('largest')).toBe(30 * 2.25);
    expect(r.final('mean rome oslo')).toBe(25 * 2.25);
    expect(r.columns.map((c) => c.name)).toContain('Pop[Paris]');
  });
});

describe('save step', () => {
  it('saves every n-th step and refuses a save step that is not a multiple of dt', () => {
    const m = new SdModel({ start: 0, stop: 4, dt: 0.5, saveStep: 1 });
    m.aux('t', 'TIME');
    expect(Array.from(simulate(m).times)).toEqual([0, 1, 2, 3, 4]);
    const bad = new SdModel({ start: 0, stop: 4, dt: 0.5, saveStep: 0.75 });
    bad.aux('t', 'TIME');
    expect(() => simulate(bad)).toThrow(/save step must be a whole multiple of dt \(0.5\), got 0.75/);
  });
});
