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
      'XmileError',
      'XmlSyntaxError',
      'attach',
      'canonicalKey',
      'canonicalName',
      'compileModel',
      'displayName',
      'parseEquation',
      'readXmile',
      'simulate',
    ]);
  });

  it('exports the Node-only part from @twinkit/sd/node', () => {
    expect(Object.keys(sdNode).sort()).toEqual(['loadXmile']);
  });

  it('exports the public types', () => {
    // A type leaves no runtime key: this fails type checking if SdCouplingState is not exported.
    const format: sd.SdCouplingState['format'] = 'twinkit.sd.coupling';
    expect(format).toBe('twinkit.sd.coupling');
  });
});
