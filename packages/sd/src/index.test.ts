import { describe, expect, it } from 'vitest';
import * as sd from './index';

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
      'loadXmile',
      'parseEquation',
      'readXmile',
      'simulate',
    ]);
  });

  it('exports the public types', () => {
    // A type leaves no runtime key: this fails type checking if SdCouplingState is not exported.
    const format: sd.SdCouplingState['format'] = 'twinkit.sd.coupling';
    expect(format).toBe('twinkit.sd.coupling');
  });
});
