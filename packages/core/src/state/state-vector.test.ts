import { describe, expect, it } from 'vitest';
import { TwinkitError } from '../errors';
import { Simulation } from '../simulation';

describe('StateVector', () => {
  it('defines plain and owner-defined variables, reads and writes them', () => {
    const sim = new Simulation();
    let stock = 5;
    sim.state.define('line1.temp', { initial: 20, unit: 'celsius', description: 'motor housing' });
    sim.state.define('line1.machine.health', { get: () => stock, set: (v) => (stock = v) });
    sim.state.define('line1.queue.length', { get: () => 3 });
    expect(sim.state.names).toEqual(['line1.temp', 'line1.machine.health', 'line1.queue.length']);
    expect(sim.state.get('line1.temp')).toBe(20);
    sim.state.set('line1.machine.health', 0.7);
    expect(stock).toBe(0.7);
    expect(Array.from(sim.state.read(['line1.queue.length', 'line1.temp']))).toEqual([3, 20]);
    sim.state.write(['line1.temp', 'line1.machine.health'], new Float64Array([21, 0.5]));
    expect(sim.state.snapshot()).toEqual(sim.state.toObject()); // the deprecated alias
    expect(sim.state.toObject()).toEqual({
      'line1.temp': 21,
      'line1.machine.health': 0.5,
      'line1.queue.length': 3,
    });
    expect(sim.state.describe('line1.temp')).toEqual({
      name: 'line1.temp',
      writable: true,
      ownerDefined: false,
      unit: 'celsius',
      description: 'motor housing',
    });
    expect(sim.state.describe('line1.queue.length').writable).toBe(false);
  });

  it('refuses duplicate and malformed names', () => {
    const sim = new Simulation();
    sim.state.define('a.b', { initial: 1 });
    expect(() => sim.state.define('a.b')).toThrow(/already defined; names in the state vector are unique/);
    for (const bad of ['', '1abc', 'a..b', 'a b', '.a']) {
      expect(() => sim.state.define(bad)).toThrow(/name must be a dotted identifier/);
    }
    sim.state.define('sd.stock[a1,b2]');
    sim.state.define('line-2.machine_3');
    expect(sim.state.has('sd.stock[a1,b2]')).toBe(true);
  });

  it('refuses writes to read-only variables, non-finite values and unknown names, writing nothing', () => {
    const sim = new Simulation();
    sim.state.define('x', { initial: 1 });
    sim.state.define('ro', { get: () => 2 });
    try {
      sim.state.write(['x', 'ro'], [5, 6]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TwinkitError);
      expect((e as TwinkitError).code).toBe('READ_ONLY');
      expect((e as Error).message).toMatch(/state.set\("ro"\): the variable is read-only/);
    }
    expect(sim.state.get('x')).toBe(1); // validated before anything was written
    expect(() => sim.state.set('x', Number.NaN)).toThrow(/value must be a finite number, got NaN/);
    expect(() => sim.state.set('x', Number.POSITIVE_INFINITY)).toThrow(/got Infinity/);
    expect(() => sim.state.get('nope')).toThrow(
      /no state variable has this name. Known names include "x", "ro"/,
    );
    expect(() => sim.state.write(['x'], [1, 2])).toThrow(/one entry per name \(1\), got "2 values"/);
    expect(() => sim.state.define('y', { initial: Number.NaN })).toThrow(
      /initial must be a finite number, got NaN/,
    );
    expect(() => sim.state.define('z', { get: () => 1, initial: 3 } as never)).toThrow(
      /initial is for plain variables/,
    );
    expect(() => sim.state.define('w', { set: () => {} } as never)).toThrow(/needs get as well as set/);
  });

  it('select() resolves names once for hot loops', () => {
    const sim = new Simulation();
    sim.state.define('a', { initial: 1 });
    sim.state.define('b', { initial: 2 });
    const sel = sim.state.select(['b', 'a']);
    const buf = new Float64Array(2);
    expect(Array.from(sel.read(buf))).toEqual([2, 1]);
    sel.write([20, 10]);
    expect(sim.state.get('a')).toBe(10);
    expect(() => sel.read(new Float64Array(3))).toThrow(/out must have length 2/);
    expect(() => sim.state.select(['a', 'missing'])).toThrow(/missing/);
  });

  it('removes variables', () => {
    const sim = new Simulation();
    sim.state.define('a');
    expect(sim.state.remove('a')).toBe(true);
    expect(sim.state.has('a')).toBe(false);
    expect(sim.state.size).toBe(0);
  });
});
