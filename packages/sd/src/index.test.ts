import { describe, expect, it } from 'vitest';
import * as sd from './index';
import * as sdNode from './node';

describe('@twinkit/sd exports', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(sd).sort()).toEqual([
      'EquationSyntaxError',
      'ModelCompileError',
      'SdCoupling',
      'SdModel',
      'SdResults',
      'SdRun',
      'VENSIM_NA',
      'VensimError',
      'XmileError',
      'XmlSyntaxError',
      'attach',
      'attachSdModel',
      'canonicalKey',
      'canonicalName',
      'compileModel',
      'displayName',
      'parseEquation',
      'parseXmile',
      'readVensim',
      'readXmile',
      'simulate',
    ]);
  });

  it('keeps the old names one release as deprecated aliases of the new ones', () => {
    expect(sd.attach).toBe(sd.attachSdModel);
    expect(sd.readXmile).toBe(sd.parseXmile);
    const model = new sd.SdModel({ start: 0, stop: 1, dt: 0.5 });
    model.stock('x', { initial: 2 });
    const run = new sd.SdRun(model);
    expect(run.snapshot()).toEqual(run.currentValues());
    const options: sd.RunOptions = { dt: 0.5 } satisfies sd.SdRunOptions;
    expect(options.dt).toBe(0.5);
  });

  it('exports the Node-only part from @twinkit/sd/node', () => {
    expect(Object.keys(sdNode).sort()).toEqual(['loadVensim', 'loadXmile']);
  });

  it('exports the public types', () => {
    // A type leaves no runtime key: this fails type checking if SdCouplingState is not exported.
    const format: sd.SdCouplingState['format'] = 'twinkit.sd.coupling';
    expect(format).toBe('twinkit.sd.coupling');
  });
});
