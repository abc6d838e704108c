import { expect, it } from 'vitest';
import * as core from './index';

// Guards the public surface of @twinkit/core: adding or removing an export is a deliberate change
// (other packages, examples and users build on these names), so it must show up in this list.
it('exports exactly the public API', () => {
  expect(Object.keys(core).sort()).toEqual([
    'Condition',
    'DEFAULT_GENERATOR',
    'Event',
    'GENERATOR_KINDS',
    'Interrupt',
    'MRG32K3A_DEFAULT_SEED',
    'ModelDefinition',
    'Mrg32k3a',
    'Priority',
    'Process',
    'RandomStream',
    'ScheduledCall',
    'Simulation',
    'StateSelection',
    'StateVector',
    'Tally',
    'TimeSeries',
    'TimeWeighted',
    'Timeout',
    'TwinkitError',
    'allEvents',
    'anyEvent',
    'createStream',
    'defineModel',
    'formatValue',
    'invalidArgument',
    'requireFinite',
    'requireInteger',
    'requireNonNegative',
    'requirePositive',
  ]);
});
