import { describe, expect, it } from 'vitest';
import { xmileDocument } from '../../test/support/xmile-document';
import { SdModel } from '../model';
import { simulate } from '../runner';
import { parseXmile } from '../xmile';
import { compileModel } from './index';

const xmile = (variables: string, specs = '<start>0</start><stop>10</stop><dt>1</dt>') =>
  xmileDocument(variables, specs);

describe('ACTIVE INITIAL', () => {
  // The suite's test_active_initial.mdl: Value A = ACTIVE INITIAL(Time, 45), Stock A = INTEG(1, Value A).
  // Vensim's output (output.tab): Stock A 45, 46, ..., 55 and Value A 0, 1, ..., 10.
  const stockA = Array.from({ length: 11 }, (_, i) => 45 + i);
  const valueA = Array.from({ length: 11 }, (_, i) => i);

  it('reads an <init_eqn> beside the <eqn>: initial values read it, the run reads the <eqn>', () => {
    const r = simulate(
      parseXmile(
        xmile(`<aux name="Value A"><eqn>Time</eqn><init_eqn>45</init_eqn></aux>
<stock name="Stock A"><eqn>Value_A</eqn><inflow>Flow_A</inflow></stock>
<flow name="Flow A"><eqn>1</eqn></flow>`),
      ),
    );
    expect(Array.from(r.series('stock a'))).toEqual(stockA);
    expect(Array.from(r.series('value a'))).toEqual(valueA);
  });

  it('reads ACTIVE_INITIAL(value, initial) as a whole equation, in XMILE and in a TypeScript model', () => {
    const r = simulate(
      parseXmile(
        xmile(`<aux name="Value A"><eqn>ACTIVE_INITIAL(Time, 45)</eqn></aux>
<stock name="Stock A"><eqn>Value_A</eqn><inflow>Flow_A</inflow></stock>
<flow name="Flow A"><eqn>1</eqn></flow>
<aux name="at start"><eqn>INIT(Value_A)</eqn></aux>`),
      ),
    );
    expect(Array.from(r.series('stock a'))).toEqual(stockA);
    expect(Array.from(r.series('value a'))).toEqual(valueA);
    expect(Array.from(r.series('at start'))).toEqual(stockA.map(() => 45));
    const m = new SdModel({ start: 0, stop: 10, dt: 1 });
    m.aux('Value A', 'ACTIVE_INITIAL(TIME, 45)');
    m.stock('Stock A', { initial: 'Value_A', inflows: ['Flow A'] });
    m.flow('Flow A', '1');
    expect(Array.from(simulate(m).series('Stock A'))).toEqual(stockA);
  });

  it('breaks a circular initialization through a SMTH1, as test_active_initial_circular', () => {
    // active = ACTIVE INITIAL(smooth + TIME * SIN(TIME), 1), smooth = SMTH1(active, 0.5), dt = 1:
    // smooth(0) = 1 (the initial value), smooth(n+1) = smooth(n) + (active(n) - smooth(n)) / 0.5.
    const r = simulate(
      parseXmile(
        xmile(`<aux name="active initial variable"><eqn>smooth_variable + TIME * SIN(TIME)</eqn><init_eqn>1</init_eqn></aux>
<aux name="smooth variable"><eqn>SMTH1(active_initial_variable, 0.5)</eqn></aux>`),
      ),
    );
    let smooth = 1;
    const active = r.series('active initial variable');
    const smoothed = r.series('smooth variable');
    for (let n = 0; n <= 10; n++) {
      expect(smoothed[n]).toBeCloseTo(smooth, 12);
      expect(active[n]).toBeCloseTo(smooth + n * Math.sin(n), 12);
      smooth += (smooth + n * Math.sin(n) - smooth) / 0.5;
    }
    // Vensim's own output for the model (output.tab, 6 significant digits).
    expect(active[1]).toBeCloseTo(1.84147, 5);
    expect(smoothed[2]).toBeCloseTo(2.68294, 5);
  });

  it('refuses an initial value that reads it through another variable, and other forms, by name', () => {
    const through = new SdModel({ start: 0, stop: 2, dt: 1 });
    through.aux('z', 'ACTIVE_INITIAL(TIME, 45)');
    through.aux('y', 'z * 2');
    through.stock('s', { initial: 'y' });
    expect(() => compileModel(through)).toThrow(
      /variable "s".*reads the ACTIVE INITIAL variable "z" through "y" as it runs, not its initial value/,
    );
    const nested = new SdModel({ start: 0, stop: 2, dt: 1 });
    nested.aux('z', '1 + ACTIVE_INITIAL(TIME, 45)');
    expect(() => compileModel(nested)).toThrow(/variable "z".*ACTIVE_INITIAL inside an expression/);
    expect(() => parseXmile(xmile('<stock name="s"><eqn>1</eqn><init_eqn>2</init_eqn></stock>'))).toThrow(
      /"s".*a stock has an <init_eqn>/,
    );
  });
});
