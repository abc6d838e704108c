import { describe, expect, it } from 'vitest';
import { SdRun, simulate } from '../runner';
import { readVensim, VensimError } from './index';

const CONTROL = `
INITIAL TIME = 0 ~ Month ~ |
FINAL TIME = 4 ~ Month ~ |
TIME STEP = 0.5 ~ Month ~ |
SAVEPER = TIME STEP * 2 ~ Month ~ |
`;

describe('readVensim', () => {
  it('reads stocks, flows, control variables, units and comments', () => {
    const model = readVensim(
      `{UTF-8}
Population= INTEG (
\tbirths - deaths,
\t\t100)
\t~\tpeople
\t~\tThe population.
\t|
births = Population * 0.1 ~ people/Month ~ |
deaths = Population * 0.05 ~ people/Month ~ |
${CONTROL}
\\\\\\---/// Sketch information - ignored
V300  Do not put anything below this section
`,
      { file: 'pop.mdl' },
    );
    expect(model.specs).toMatchObject({ start: 0, stop: 4, dt: 0.5, saveStep: 1 });
    const pop = model.variables.get('population')!;
    expect(pop.kind).toBe('stock');
    expect(pop.inflows).toEqual(['births']);
    expect(pop.outflows).toEqual(['deaths']);
    expect(pop.source).toEqual({ file: 'pop.mdl', line: 2 });
    expect(model.variables.get('births')!.kind).toBe('flow');
    const r = simulate(model);
    expect(r.times).toEqual(new Float64Array([0, 1, 2, 3, 4]));
    expect(r.final('Population')).toBeCloseTo(100 * 1.025 ** 8, 9);
  });

  it('maps Vensim syntax and functions onto the compiler builtins', () => {
    const model = readVensim(`
a = IF THEN ELSE(Time >= 1 :AND: Time <> 3 :OR: :NOT: (Time < 4), 1, 0) ~~|
b = XIDZ(1, 0, 7) + ZIDZ(1, 0) + MIN(2, 3) + MAX(2, 3) ~~|
c = PULSE(1, 1) + STEP(10, 2) + RAMP(1, 1, 2) ~~|
t(  [(0,0)-(10,10)], (0,0), (2,4), (4,4) ) ~~|
d = t(Time) ~~|
e = WITH LOOKUP(Time, ([(0,0)-(4,8)], (0,0), (4,8))) ~~|
s = SMOOTH(Time, 1) + INITIAL(Time + 5) ~~|
${CONTROL}`);
    const r = simulate(model);
    expect(Array.from(r.series('a'))).toEqual([0, 1, 1, 0, 1]);
    expect(r.final('b')).toBe(7 + 0 + 2 + 3);
    expect(Array.from(r.series('c'))).toEqual([0, 1, 11, 11, 11]);
    expect(Array.from(r.series('d'))).toEqual([0, 2, 4, 4, 4]);
    expect(Array.from(r.series('e'))).toEqual([0, 2, 4, 6, 8]);
    expect(r.value('s', 0)).toBe(5);
  });

  it('reads subscripts: ranges, numbered ranges, 2-D constants, :EXCEPT:, partial definitions and SUM', () => {
    const model = readVensim(`
Region: (r1-r3) ~~|
Kind: small, big ~~|
cap[Region, Kind] = 1, 2; 3, 4; 5, 6; ~~|
bonus[Region] :EXCEPT: [r2] = 10 ~~|
bonus[r2] = 20 ~~|
total = SUM(cap[Region!, Kind!]) ~~|
Stock[Region, Kind] = INTEG(cap[Region, Kind] + bonus[Region], 0) ~~|
${CONTROL}`);
    const r = simulate(model);
    expect(r.final('total')).toBe(21);
    expect(r.final('bonus[r2]')).toBe(20);
    expect(r.final('Stock[r3,big]')).toBe(4 * (6 + 10));
    expect(r.columns.map((c) => c.name)).toContain('Stock[r3,big]');
  });

  it('expands macros, one instance per call, stocks included', () => {
    const model = readVensim(`
:MACRO: ACCUMULATE(rate, start)
ACCUMULATE = INTEG(rate * gain, start) ~~|
gain = 2 ~~|
:END OF MACRO:
a = ACCUMULATE(1, 10) ~~|
b = ACCUMULATE(a, 0) + 1 ~~|
${CONTROL}`);
    const r = simulate(model);
    expect(Array.from(r.series('a'))).toEqual([10, 12, 14, 16, 18]);
    // b's instance integrates 2 * a from 0, Euler at dt = 0.5: 0, 10.5, 22.5, 36.5, 52.5 (+1).
    expect(r.value('b', 1)).toBe(1 + 10 + 11);
  });

  it('gives ACTIVE INITIAL variables their initial value in initial values only', () => {
    const model = readVensim(`
v = ACTIVE INITIAL(Time + 1, 45) ~~|
s = INTEG(1, v) ~~|
i = INITIAL(v) ~~|
${CONTROL}`);
    const r = simulate(model);
    expect(Array.from(r.series('v'))).toEqual([1, 2, 3, 4, 5]);
    expect(r.value('s', 0)).toBe(45);
    expect(r.final('i')).toBe(45);
  });

  it('reads subscripted lookups, one table per element', () => {
    const model = readVensim(`
K: k1, k2 ~~|
curve[k1]((0,0),(1,10)) ~~|
curve[k2]((1,5),(0,1)) ~~|
y[K] = curve[K](0.5) ~~|
${CONTROL}`);
    const r = simulate(model);
    expect(r.final('y[k1]')).toBe(5);
    expect(r.final('y[k2]')).toBe(3);
  });

  it('computes a total that every element reads once, in a variable of its own', () => {
    const model = readVensim(`
R: (r1-r4) ~~|
x[R] = 1, 2, 3, 4 ~~|
share[R] = x[R] / SUM(x[R!]) ~~|
peak[R] = x[R] / VMAX(x[R!]) ~~|
${CONTROL}`);
    const r = simulate(model);
    expect(Array.from({ length: 4 }, (_, i) => r.final(`share[r${i + 1}]`))).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(r.final('peak[r2]')).toBe(0.5);
    expect(r.final('max 2 in peak')).toBe(4);
    expect(r.final('sum 1 in share')).toBe(10);
    expect(model.variables.has('sum_2_in_share')).toBe(false);
  });

  it('gives a model that snapshots and restores like an XMILE one', () => {
    const model = readVensim(`x = INTEG(1, 0) ~~|\n${CONTROL}`);
    const run = new SdRun(model);
    run.advanceTo(1);
    const saved = structuredClone(run.saveState());
    run.advanceTo(2);
    expect(run.get('x')).toBe(2);
    const resumed = new SdRun(model, {}, saved);
    expect(resumed.get('x')).toBe(1);
    resumed.advanceTo(3);
    expect(resumed.get('x')).toBe(3);
  });

  it('refuses what it cannot run, naming the construct, the variable and the line', () => {
    const refuse = (text: string) => {
      try {
        readVensim(`${text}\n${CONTROL}`, { file: 'm.mdl' });
      } catch (e) {
        expect(e).toBeInstanceOf(VensimError);
        return (e as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refuse('\nx = VECTOR SELECT(1, 2, 3, 4, 5) ~~|')).toBe(
      'm.mdl line 2: variable "x": uses the Vensim function VECTOR SELECT, which twinkit does not support',
    );
    expect(refuse('y = ACTIVE INITIAL(Time, 1) ~~|\nw = y * 2 ~~|\ns = INTEG(1, w) ~~|')).toMatch(
      /line 3: variable "s": an initial value reads w, which depends on an ACTIVE INITIAL variable/,
    );
    expect(refuse('z = 2 * INTEG(1, 0) ~~|')).toMatch(/variable "z": INTEG is supported only as the whole/);
    expect(refuse('w = :NA: ~~|')).toMatch(/variable "w": :NA:/);
    expect(refuse(':MACRO: f(a : b)\nf = a ~~|\n:END OF MACRO:')).toMatch(
      /line 1: macro F has output parameters/,
    );
    expect(refuse('d := GET XLS DATA(1) ~~|')).toMatch(/variable "d": data variables/);
    expect(refuse('q = 1 +  ~~|')).toMatch(/line 1: variable "q": equation does not parse/);
    expect(() =>
      readVensim('INITIAL TIME = 0 ~~| FINAL TIME = 1 ~~| TIME STEP = 0.3 ~~|\nSAVEPER = 0.5 ~~|'),
    ).toThrow(/line 2: variable "SAVEPER": SAVEPER \(0.5\) must be a whole multiple of TIME STEP \(0.3\)/);
    expect(refuse('u = nowhere * 2 ~~|')).toMatch(
      /variable "u": uses "nowhere", which the model does not define/,
    );
  });
});
