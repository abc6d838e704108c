import { expect, it } from 'vitest';
import * as des from './index';
import * as desNode from './node';

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
    'formatTraceRecord',
    'startTrace',
  ]);
});

it('exports the Node-only part from @twinkit/des/node', () => {
  expect(Object.keys(desNode).sort()).toEqual(['fileTraceSink']);
});
