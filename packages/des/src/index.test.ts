import { expect, it } from 'vitest';
import * as des from './index';

it('exports exactly the public API', () => {
  expect(Object.keys(des).sort()).toEqual([
    'Balked',
    'BaseResource',
    'Container',
    'ContainerGet',
    'ContainerPut',
    'DesStatistics',
    'FilterStore',
    'Preempted',
    'PreemptiveResource',
    'PriorityItem',
    'PriorityResource',
    'PriorityStore',
    'Request',
    'Resource',
    'ResourceEvent',
    'Store',
    'StoreGet',
    'StorePut',
    'TRACE_KINDS',
    'Trace',
    'fileTraceSink',
    'formatTraceRecord',
    'startTrace',
  ]);
});
