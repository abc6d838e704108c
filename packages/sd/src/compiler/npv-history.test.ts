import { describe, expect, it } from 'vitest';
import { xmileDocument } from '../../test/support/xmile-document';
import { SdModel } from '../model';
import { SdRun, simulate } from '../runner';
import { readVensim } from '../vensim';
import { parseXmile } from '../xmile';
import { compileModel } from './index';

const xmile = (variables: string, specs = '<start>0</start><stop>3</stop><dt>0.5</dt>') =>
  xmileDocument(variables, specs);

/** Runs to `at`, saves the run, continues a copy from the save and the original to the stop time. */
function forkAgrees(m: SdModel, at: number, name: string): void {
  const compiled = compileModel(m);
  const straight = new SdRun(compiled).run().series(name);
  const first = new SdRun(compiled);
  first.advanceTo(at);
  const saved = first.saveState();
  const copy = {
    ...saved,
    values: Float64Array.from(saved.values),
    delays: saved.delays.map((d) => ({ times: Array.from(d.times), values: Array.from(d.values) })),
  };
  const resumed = new SdRun(compiled, { method: saved.method, dt: saved.dt }, copy);
  resumed.run();
  expect(resumed.get(name)).toBe(straight[straight.length - 1]);
}

describe('NPV', () => {
  // Euler, dt = 0.5, stream 10, rate 0.1: df(n+1) = df(n) * (1 - 0.05 / 1.05) = df(n) / 1.05 and
  // acc(n+1) = acc(n) + 0.5 * 10 * df(n), so NPV(n) = acc(n) + 10 * 0.5 * df(n) = 5 * sum_k<=n 1.05^-k.
  const expected = (n: number, initial = 0, factor = 1) => {
    let sum = 0;
    for (let k = 0; k <= n; k++) sum += 5 * 1.05 ** -k;
    return (initial + sum) * factor;
  };

  it('follows the Euler recurrence of its two internal stocks', () => {
    const m = new SdModel({ start: 0, stop: 3, dt: 0.5 });
    m.constant('cash', 10);
    m.aux('value', 'NPV(cash, 0.1)');
    m.aux('with initial', 'NPV(cash, 0.1, 2, 3)');
    const r = simulate(m);
    const value = r.series('value');
    const withInitial = r.series('with initial');
    expect(value.length).toBe(7);
    for (let n = 0; n < 7; n++) {
      expect(value[n]).toBeCloseTo(expected(n), 12);
      expect(withInitial[n]).toBeCloseTo(expected(n, 2, 3), 12);
    }
  });

  it('reads the same from XMILE and from Vensim', () => {
    const fromXmile = simulate(
      parseXmile(
        xmile('<aux name="cash"><eqn>10</eqn></aux><aux name="value"><eqn>NPV(cash, 0.1, 0, 1)</eqn></aux>'),
      ),
    ).series('value');
    const fromVensim = simulate(
      readVensim(`value = NPV(cash, 0.1, 0, 1) ~ $ ~ |
cash = 10 ~ $/Year ~ |
INITIAL TIME = 0 ~ Year ~ |
FINAL TIME = 3 ~ Year ~ |
TIME STEP = 0.5 ~ Year ~ |
SAVEPER = TIME STEP ~ Year ~ |
`),
    ).series('value');
    for (let n = 0; n < 7; n++) {
      expect(fromXmile[n]).toBeCloseTo(expected(n), 12);
      expect(fromVensim[n]).toBeCloseTo(expected(n), 12);
    }
  });

  it('keeps its state in the run, so a resumed copy ends where the run does', () => {
    const m = new SdModel({ start: 0, stop: 10, dt: 0.25 });
    m.aux('cash', '10 + TIME');
    m.aux('value', 'NPV(cash, 0.07, 1)');
    forkAgrees(m, 4.25, 'value');
  });

  it('refuses a call with the wrong number of arguments, naming the variable', () => {
    const m = new SdModel({ start: 0, stop: 1, dt: 1 });
    m.aux('value', 'NPV(1)');
    expect(() => compileModel(m)).toThrow(/value.*NPV with 1 arguments; it takes 2 to 4/);
  });
});

describe('HISTORY', () => {
  it('returns the value at the latest step at or before the time asked', () => {
    // level(t) with dt = 0.5: 0, 1, 2, ... (inflow 2). HISTORY(level, TIME - 1) is level(t - 1), held
    // between steps: HISTORY(level, TIME - 0.75) at t = 2 reads level at 1 (the step at or before 1.25).
    const m = new SdModel({ start: 0, stop: 3, dt: 0.5 });
    m.stock('level', { initial: 0, inflows: ['fill'] });
    m.flow('fill', '2');
    m.aux('a second ago', 'IF TIME >= 1 THEN HISTORY(level, TIME - 1) ELSE -1');
    m.aux('between', 'IF TIME >= 1 THEN HISTORY(level, TIME - 0.75) ELSE -1');
    m.aux('now', 'HISTORY(level, TIME)');
    m.aux('at start', 'HISTORY(level, 0)');
    const r = simulate(m);
    expect(Array.from(r.series('level'))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(r.series('a second ago'))).toEqual([-1, -1, 0, 1, 2, 3, 4]);
    expect(Array.from(r.series('between'))).toEqual([-1, -1, 0, 1, 2, 3, 4]);
    expect(Array.from(r.series('now'))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(r.series('at start'))).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('reads an XMILE equation, and its past survives a save and resume', () => {
    const r = simulate(
      parseXmile(
        xmile(
          '<aux name="x"><eqn>TIME * TIME</eqn></aux><aux name="h"><eqn>HISTORY(x, MAX(0, TIME - 1))</eqn></aux>',
        ),
      ),
    );
    expect(Array.from(r.series('h'))).toEqual([0, 0, 0, 0.25, 1, 2.25, 4]);
    const m = new SdModel({ start: 0, stop: 10, dt: 0.25 });
    m.aux('x', 'SIN(TIME)');
    m.aux('h', 'HISTORY(x, TIME / 2)');
    forkAgrees(m, 5.5, 'h');
  });

  it('refuses a time in the future at run time, naming the variable', () => {
    const m = new SdModel({ start: 0, stop: 2, dt: 1 });
    m.aux('x', 'TIME');
    m.aux('ahead', 'HISTORY(x, TIME + 1)');
    expect(() => simulate(m)).toThrow(
      /HISTORY\(x, \.\.\.\) in "ahead": asks for the value at time 1, after the current time 0/,
    );
    const before = new SdModel({ start: 0, stop: 2, dt: 1 });
    before.aux('x', 'TIME');
    before.aux('early', 'HISTORY(x, TIME - 5)');
    expect(() => simulate(before)).toThrow(
      /"early": asks for the value at time -5, before the start of the run/,
    );
  });

  it('refuses HISTORY of an expression by name', () => {
    const m = new SdModel({ start: 0, stop: 2, dt: 1 });
    m.aux('x', 'TIME');
    m.aux('h', 'HISTORY(x * 2, 0)');
    expect(() => compileModel(m)).toThrow(/h.*HISTORY of an expression/);
  });
});
