import { describe, expect, it } from 'vitest';
import { SdModel } from '../model';
import { simulate } from '../runner';
import { parseXmile } from '../xmile/xmile';
import { compileModel, ModelCompileError } from '.';

describe('SELF (XMILE 3.5.6) in PREVIOUS(SELF, init) and INIT(SELF)', () => {
  it('PREVIOUS(SELF, init) is the variable at the previous step: x(t) = 2 x(t - dt) + t, x(-dt) = 1', () => {
    // By hand, dt = 1: x0 = 2*1 + 0 = 2, x1 = 2*2 + 1 = 5, x2 = 2*5 + 2 = 12, x3 = 27, x4 = 58.
    for (const method of ['euler', 'rk4'] as const) {
      const m = new SdModel({ start: 0, stop: 4, dt: 1, method });
      m.aux('x', 'PREVIOUS(SELF, 1) * 2 + TIME');
      expect([...simulate(m).series('x')]).toEqual([2, 5, 12, 27, 58]);
    }
  });

  it('runs the same recurrence with dt = 0.5 and as each element of an array', () => {
    // y[k](t) = y[k](t - dt) + base[k], y[k](-dt) = 10 k: y[k] = 10 k + (n + 1) base[k] at step n.
    const m = new SdModel({ start: 0, stop: 2, dt: 0.5 });
    m.dimension('K', 3);
    m.aux('base', 0, { dimensions: ['K'], elements: { 1: 1, 2: 2, 3: 3 } });
    m.aux('start', 0, { dimensions: ['K'], elements: { 1: 10, 2: 20, 3: 30 } });
    m.aux('y', 'PREVIOUS(SELF, start) + base', { dimensions: ['K'] });
    const r = simulate(m);
    for (let k = 1; k <= 3; k++) {
      expect([...r.series(`y[${k}]`)]).toEqual([0, 1, 2, 3, 4].map((n) => 10 * k + (n + 1) * k));
    }
  });

  it('reads SELF from an XMILE file', () => {
    const r = simulate(
      parseXmile(`<?xml version="1.0"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs><start>0</start><stop>3</stop><dt>1</dt></sim_specs>
<model><variables>
<aux name="growth"><eqn>PREVIOUS(SELF, 1) * 3</eqn></aux>
<aux name="first"><eqn>IF TIME = STARTTIME THEN 7 ELSE INIT(SELF) + TIME</eqn></aux>
</variables></model></xmile>`),
    );
    expect([...r.series('growth')]).toEqual([3, 9, 27, 81]);
    expect([...r.series('first')]).toEqual([7, 8, 9, 10]);
  });

  it('INIT(SELF) is the variable at the start time', () => {
    // z(0) = 5 (its own start value); afterwards z(t) = INIT(SELF) * (1 + t) = 5 (1 + t).
    const m = new SdModel({ start: 0, stop: 3, dt: 1 });
    m.aux('z', 'IF TIME = STARTTIME THEN 5 ELSE INIT(SELF) * (1 + TIME)');
    expect([...simulate(m).series('z')]).toEqual([5, 10, 15, 20]);
    // A start value that needs itself is not silently 0: the run names the variable.
    const circular = new SdModel({ start: 0, stop: 1, dt: 1 });
    circular.aux('w', 'INIT(SELF) + 1');
    expect(() => simulate(circular)).toThrow(/"w" is NaN at time 0/);
  });

  it('refuses SELF anywhere else, naming the variable and the rule', () => {
    const refuse = (equation: string, pattern: RegExp) => {
      const m = new SdModel({ start: 0, stop: 1, dt: 1 });
      m.aux('Speed', equation);
      let error: unknown;
      try {
        compileModel(m);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ModelCompileError);
      expect((error as Error).message).toMatch(/variable "Speed"/);
      expect((error as Error).message).toMatch(pattern);
    };
    const outside = /uses SELF outside PREVIOUS\(SELF, init\) and INIT\(SELF\).*XMILE 3\.5\.6/;
    refuse('SELF + 1', outside);
    refuse('SELF(2)', outside);
    refuse('INIT(SELF + 1)', outside);
    refuse('PREVIOUS(1, SELF)', outside);
    refuse('PREVIOUS(SELF)', /PREVIOUS\(SELF\) without an initial value.*PREVIOUS\(SELF, init\)/);
  });

  it('a variable named self is still a variable', () => {
    const m = new SdModel({ start: 0, stop: 1, dt: 1 });
    m.aux('self', 4);
    m.aux('twice', 'self * 2');
    expect(simulate(m).final('twice')).toBe(8);
  });
});
