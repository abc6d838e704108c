import { describe, expect, it } from 'vitest';
import * as abm from './index';

describe('@twinkit/abm exports', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(abm).sort()).toEqual([
      'Agent',
      'AgentModel',
      'AgentSet',
      'ContinuousSpace',
      'DataCollector',
      'DataTable',
      'GridSpace',
      'NetworkSpace',
      'Ticker',
      'findPath',
    ]);
  });
});
