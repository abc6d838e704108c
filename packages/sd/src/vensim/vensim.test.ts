import { describe, expect, it } from 'vitest';
import {
  invertMatrixElement,
  vectorPick,
  vectorRank,
  vectorSelect,
  vectorSortOrder,
} from '../compiler/runtime';
import { SdRun, simulate } from '../runner';
import { readVensim, VENSIM_NA, VensimError } from './index';

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
    expect(refuse('\nx = GET TIME VALUE(0, 0, 0) ~~|')).toBe(
      'm.mdl line 2: variable "x": uses the Vensim function GET TIME VALUE, which twinkit does not support',
    );
    expect(refuse('d: A, B ~~|\nv[d] = 1, 2 ~~|\nx[d] = VECTOR RANK(v, 1) ~~|')).toMatch(
      /line 3: variable "x": VECTOR RANK needs a variable whose last subscript is a range/,
    );
    expect(refuse('x = VECTOR SELECT(1, 2, 3, 4, 5) ~~|')).toMatch(
      /line 1: variable "x": VECTOR SELECT needs arrays over a range/,
    );
    expect(refuse('d: A, B ~~|\nm[d] = 1, 2 ~~|\nx[d] = INVERT MATRIX(m[d], 1) ~~|')).toMatch(
      /line 3: variable "x": INVERT MATRIX needs a variable whose last two subscripts are ranges/,
    );
    expect(refuse('o = 1 + Time ~~|\nx = DELAY N(1, 2, 0, o) ~~|')).toMatch(
      /line 2: variable "x": DELAY N with an order that is not a constant/,
    );
    expect(refuse('y = ACTIVE INITIAL(Time, 1) ~~|\nw = y * 2 ~~|\ns = INTEG(1, w) ~~|')).toMatch(
      /line 3: variable "s": an initial value reads w, which depends on an ACTIVE INITIAL variable/,
    );
    expect(refuse('z = 2 * INTEG(1, 0) ~~|')).toMatch(/variable "z": INTEG is supported only as the whole/);
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

  it('reads :NA: as the missing value of Vensim, -2^109', () => {
    const r = simulate(
      readVensim(`x = IF THEN ELSE(Time > 1, :NA:, Time) ~~|\ny = :NA: + 1 ~~|\n${CONTROL}`),
    );
    expect(VENSIM_NA).toBe(-(2 ** 109));
    expect([...r.series('x')]).toEqual([0, 1, VENSIM_NA, VENSIM_NA, VENSIM_NA]);
    expect(r.final('y')).toBe(VENSIM_NA + 1);
  });

  it('inverts the matrix over the last two subscripts (INVERT MATRIX)', () => {
    const r = simulate(
      readVensim(`c: E, F ~~|\nr: A, B ~~|\nk: A, B ~~|
m[E, r, k] = 4, 7; 2, 6; ~~|
m[F, r, k] = 2, 0; 0, 5; ~~|
mi[c, r, k] = INVERT MATRIX(m[c, r, k], 2) ~~|
${CONTROL}`),
    );
    // [[4, 7], [2, 6]]^-1 = [[0.6, -0.7], [-0.2, 0.4]]
    expect(r.final('mi[E,A,A]')).toBeCloseTo(0.6, 12);
    expect(r.final('mi[E,A,B]')).toBeCloseTo(-0.7, 12);
    expect(r.final('mi[E,B,A]')).toBeCloseTo(-0.2, 12);
    expect(r.final('mi[E,B,B]')).toBeCloseTo(0.4, 12);
    expect(r.final('mi[F,B,B]')).toBeCloseTo(1 / 5, 12);
    expect(r.final('mi[F,A,A]')).toBe(0.5);
  });

  it('gives NaN for the inverse of a singular matrix', () => {
    expect(invertMatrixElement(0, 0, 2, [1, 2, 2, 4])).toBeNaN();
    expect(invertMatrixElement(1, 0, 3, [0, 1, 0, 1, 0, 0, 0, 0, 1])).toBe(1);
  });

  it('selects the elements of non-zero selection (VECTOR SELECT), each numerical action', () => {
    const r = simulate(
      readVensim(`d: A, B, C ~~|\ne: X, Y ~~|
sel[d] = 0, 2, -1 ~~|
v[d] = 3, 5, 7 ~~|
none[d] = 0 ~~|
sum = VECTOR SELECT(sel[d!], v[d!], -9, 0, 0) ~~|
action = VECTOR SELECT(sel[d!], v[d!], -9, Time, 0) ~~|
missing = VECTOR SELECT(none[d!], v[d!], -9, 0, 0) ~~|
w[e] = 1, 10 ~~|
outer = VECTOR SELECT(sel[d!], w[e!], 0, 6, 0) ~~|
${CONTROL}`),
    );
    expect(r.final('sum')).toBe(2 * 5 - 7);
    expect(r.final('missing')).toBe(-9);
    // An error action that fails (here 2: more than one selected) stops the run, naming the variable.
    expect(() =>
      simulate(
        readVensim(
          `d: A, B ~~|\ns[d] = 1, 1 ~~|\nstrict = VECTOR SELECT(s[d!], s[d!], 0, 0, 2) ~~|\n${CONTROL}`,
        ),
      ),
    ).toThrow(/"strict" is NaN at time 0/);
    expect(r.final('outer')).toBe(22); // w over both selected elements of d
    // Actions 0 to 4: sum, product, min, max, mean of selection * value.
    expect([...r.series('action')]).toEqual([3, -70, -7, 10, 1.5]);
    expect(vectorSelect(0, 5, 0, [0, 2, -1], [3, 5, 7])).toBeCloseTo(25 / 7, 14);
    expect([6, 7, 8, 9, 10].map((a) => vectorSelect(0, a, 0, [0, 2, -1], [3, 5, 7]))).toEqual([
      12, 35, 5, 7, 6,
    ]);
    expect(vectorSelect(0, 1, 1, [0, 0], [1, 2])).toBeNaN();
  });

  it('fixes the order of DELAY N at its initial value', () => {
    const text = (order: string) =>
      readVensim(`o = ${order} ~~|\nx = DELAY N(STEP(1, 1), 2, 0, o) ~~|\n${CONTROL}`);
    const fixed = simulate(text('2 + STEP(1, 2)'));
    const two = simulate(text('2'));
    expect([...fixed.series('x')]).toEqual([...two.series('x')]);
  });

  it('runs DELAY N with a changing delay time as Vensim does (each stage keeps its delay time)', () => {
    const model = readVensim(`x = DELAY N(1 + STEP(4, 1), 2 + STEP(2, 2), 3, 2) ~~|
INITIAL TIME = 0 ~~| FINAL TIME = 6 ~~| TIME STEP = 1 ~~| SAVEPER = 1 ~~|`);
    // The recurrence: stage j drains with the delay time of j steps ago; the output divides by
    // the delay time of the step before.
    const D = (t: number) => 2 + (t >= 2 ? 2 : 0);
    const I = (t: number) => 1 + (t >= 1 ? 4 : 0);
    let S = [3 * D(0), 3 * D(0)];
    let times = [D(0), D(0)];
    const want: number[] = [];
    for (let t = 0; t <= 6; t++) {
      want.push(S[1]! / times[0]!);
      times = [D(t), times[0]!];
      const out = S.map((v, j) => v / times[j]!);
      const inflow = [I(t), out[0]!];
      S = S.map((v, j) => v + 2 * (inflow[j]! - out[j]!));
    }
    const got = [...simulate(model).series('x')];
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 12);
    });
  });

  it('sorts, ranks and reorders along the last subscript (VECTOR SORT ORDER, RANK, REORDER)', () => {
    const r = simulate(
      readVensim(`c: C1, C2, C3 -> s ~~|\ns: S1, S2, S3 -> c ~~|\nr: A, B ~~|
v[r, c] = 5, -1, 3; 0, 2, 1; ~~|
up[r, s] = VECTOR SORT ORDER(v[r, c], 1) ~~|
down[r, s] = VECTOR SORT ORDER(v[r, c], 0) ~~|
rank[r, c] = VECTOR RANK(v[r, c], 1) ~~|
sorted[r, s] = VECTOR REORDER(v[r, c], up[r, s]) ~~|
${CONTROL}`),
    );
    const row = (name: string, x: string, els: string[]) => els.map((e) => r.final(`${name}[${x},${e}]`));
    expect(row('up', 'A', ['S1', 'S2', 'S3'])).toEqual([1, 2, 0]); // 0-based indices, as Vensim
    expect(row('down', 'A', ['S1', 'S2', 'S3'])).toEqual([0, 2, 1]);
    expect(row('rank', 'B', ['C1', 'C2', 'C3'])).toEqual([1, 3, 2]);
    expect(row('sorted', 'A', ['S1', 'S2', 'S3'])).toEqual([-1, 3, 5]);
    expect(vectorPick(3, [1, 2])).toBeNaN();
    expect(vectorSortOrder(0, 1, [Number.NaN, 1])).toBeNaN();
    expect(vectorRank(1, 0, [1, 2, 3])).toBe(2);
  });
});
