import { expect, it } from 'vitest';
import * as random from './index';

it('exports exactly the random layer API (values; types are checked by tsc)', () => {
  expect(Object.keys(random).sort()).toEqual([
    'DEFAULT_GENERATOR',
    'GENERATOR_KINDS',
    'MRG32K3A_DEFAULT_SEED',
    'Mrg32k3a',
    'RandomStream',
    'createStream',
  ]);
});
