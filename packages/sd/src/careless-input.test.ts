// Careless input as a new user would give it (issue 11): misspelt options of the SD APIs are refused
// naming the API, the key and the closest option, instead of being silently ignored.
import { Simulation } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../test-support/thrown';
import { attachSdModel, parseXmile, SdModel, SdRun, simulate } from './index';

const thrownInvalid = (fn: () => unknown) => thrown(fn, 'INVALID_ARGUMENT');

function tank(): SdModel {
  const m = new SdModel({ start: 0, stop: 2, dt: 0.5 });
  m.stock('level', { initial: 1, outflows: ['drain'] });
  m.flow('drain', 'level * k');
  m.constant('k', 0.1);
  return m;
}

describe('SD options with a misspelt key', () => {
  it('are refused naming the API, the key, its value and the closest option', () => {
    expect(thrownInvalid(() => simulate(tank(), { metod: 'rk4' } as never)).message).toBe(
      "simulate(model, options): unknown option 'metod' (given \"rk4\"); the options are 'method', 'dt', 'rtol', 'atol', 'random', 'parameters' and 'record'. Did you mean 'method'?",
    );
    const m = tank();
    const cases: [() => unknown, RegExp][] = [
      [
        () => new SdModel({ start: 0, stop: 1, dt: 1, savestep: 1 } as never),
        /^new SdModel\(specs\): unknown option 'savestep'.*Did you mean 'saveStep'\?$/,
      ],
      [
        () => m.stock('s', { initial: 0, inflow: ['a'] } as never),
        /^SdModel\.stock\(name, options\): unknown option 'inflow' \(given \["a"\]\).*Did you mean 'inflows'\?$/,
      ],
      [
        () => m.flow('f', '1', { nonnegative: true } as never),
        /^SdModel\.flow\(name, equation, options\): unknown option 'nonnegative'.*Did you mean 'nonNegative'\?$/,
      ],
      [
        () => m.aux('a', '1', { unit: 'people' } as never),
        /^SdModel\.aux\(name, equation, options\): unknown option 'unit'.*Did you mean 'units'\?$/,
      ],
      [
        () => m.constant('c', 1, { dependsOn: ['k'] } as never),
        /^SdModel\.constant\(name, value, options\): unknown option 'dependsOn'.*the options are 'dimensions', 'units', 'doc' and 'source'/,
      ],
      [
        () => m.graphical('g', { x: [0, 1], y: [0, 1], inputs: 'k' } as never),
        /^SdModel\.graphical\(name, options\): unknown option 'inputs'.*Did you mean 'input'\?$/,
      ],
      [
        () => new SdRun(tank(), { parameter: { k: 1 } } as never),
        /^new SdRun\(model, options\): unknown option 'parameter'.*Did you mean 'parameters'\?$/,
      ],
      [
        () => attachSdModel(new Simulation(), tank(), { prefix: 'tank', randomstream: 'x' } as never),
        /^attachSdModel\(sim, model, options\): unknown option 'randomstream'.*Did you mean 'randomStream'\?$/,
      ],
      [
        () => attachSdModel(new Simulation(), tank(), { prefix: 'tank', random: () => 0.5 } as never),
        /^attachSdModel\(sim, model, options\): unknown option 'random'.*Did you mean 'randomStream'\?$/,
      ],
      [
        () =>
          attachSdModel(new Simulation(), tank(), { prefix: 'tank' }).onCrossing(
            'level',
            0.5,
            'down',
            () => {},
            {
              tol: 1,
            } as never,
          ),
        /^SdCoupling\.onCrossing\(variable, threshold, direction, handler, options\): unknown option 'tol'/,
      ],
      [
        () => parseXmile('<xmile/>', { filename: 'a.xmile' } as never),
        /^parseXmile\(source, options\): unknown option 'filename'.*Did you mean 'file'\?$/,
      ],
    ];
    for (const [call, message] of cases) expect(thrownInvalid(call).message).toMatch(message);
  });

  it('leave well-spelt options alone, including attach passing its run options on', () => {
    const sim = new Simulation();
    const sd = attachSdModel(sim, tank(), {
      prefix: 'tank',
      method: 'rk4',
      dt: 0.25,
      parameters: { k: 0.2 },
      record: true,
    });
    sim.run({ until: 1 });
    expect(sim.state.get('tank.level')).toBeCloseTo(Math.exp(-0.2), 4);
    expect(sd.saveState().method).toBe('rk4');
    expect(simulate(tank(), { method: 'rk4', record: true }).final('level')).toBeCloseTo(Math.exp(-0.2), 4);
  });
});
