// Careless input as a new user would give it (issue 11): misspelt options of the ABM APIs are refused
// naming the API, the key and the closest option, instead of being silently ignored.
import { Simulation } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../test-support/thrown';
import {
  Agent,
  AgentModel,
  ContinuousSpace,
  DataCollector,
  DataTable,
  findPath,
  GridSpace,
  NetworkSpace,
} from './index';

const thrownInvalid = (fn: () => unknown) => thrown(fn, 'INVALID_ARGUMENT');

class Sheep extends Agent {
  energy = 1;
  step(): void {}
}

describe('ABM options with a misspelt key', () => {
  const sim = new Simulation({ seed: 1 });
  const model = new AgentModel(sim);
  new Sheep(model);

  it('are refused naming the API, the key, its value and the closest option', () => {
    expect(thrownInvalid(() => new GridSpace({ width: 4, height: 4, taurus: true } as never)).message).toBe(
      "GridSpace(options): unknown option 'taurus' (given true); the options are 'width', 'height', 'torus' and 'occupancy'. Did you mean 'torus'?",
    );
    const cases: [() => unknown, RegExp][] = [
      [
        () => new AgentModel(sim, { rng: 'abm' } as never),
        /^new AgentModel\(sim, options\): unknown option 'rng' \(given "abm"\); the options are 'rngStream'\. Did you mean 'rngStream'\?$/,
      ],
      [
        () => model.tick({ intervall: 2 } as never),
        /^AgentModel\.tick\(options\): unknown option 'intervall' \(given 2\).*Did you mean 'interval'\?$/,
      ],
      [
        () => model.tick({ activation: { stages: ['step'], shuffle: true } } as never),
        /^AgentModel\.tick\(\{ activation \}\): unknown option 'shuffle'.*Did you mean 'shuffleEachStage'\?$/,
      ],
      [
        () => model.defineAggregate('herd.count', { reduce: 'count', typ: Sheep } as never),
        /^AgentModel\.defineAggregate\(name, spec\): unknown option 'typ'.*Did you mean 'type'\?$/,
      ],
      [
        () => new ContinuousSpace({ width: 1, height: 1, periodical: true } as never),
        /^ContinuousSpace\(options\): unknown option 'periodical'.*Did you mean 'periodic'\?$/,
      ],
      [
        () => new NetworkSpace({ nodes: 2, edge: [[0, 1]] } as never),
        /^NetworkSpace\(options\): unknown option 'edge'.*Did you mean 'edges'\?$/,
      ],
      [
        () => findPath({ width: 2, height: 2 }, { x: 0, y: 0 }, { x: 1, y: 1 }, { diagonals: true } as never),
        /^findPath\(grid, from, to, options\): unknown option 'diagonals'.*Did you mean 'diagonal'\?$/,
      ],
      [
        () =>
          new GridSpace({ width: 2, height: 2 }).findPath({ x: 0, y: 0 }, { x: 1, y: 1 }, {
            diag: true,
          } as never),
        /^findPath\(grid, from, to, options\): unknown option 'diag'.*Did you mean 'diagonal'\?$/,
      ],
      [
        () => model.agents.select({ limt: 1 } as never),
        /^AgentSet\.select\(options\): unknown option 'limt'.*Did you mean 'limit'\?$/,
      ],
      [
        () => model.agents.sortBy((a) => a.id, { descend: true } as never),
        /^AgentSet\.sortBy\(key, options\): unknown option 'descend'.*Did you mean 'descending'\?$/,
      ],
      [
        () => new DataCollector(model, { models: {} } as never),
        /^new DataCollector\(model, options\): unknown option 'models'.*Did you mean 'model'\?$/,
      ],
      [
        () => new DataCollector(model, { agentStorage: { windows: 10 } } as never),
        /^new DataCollector\(model, \{ agentStorage \}\): unknown option 'windows'.*Did you mean 'window'\?$/,
      ],
      [
        () => new DataCollector(model, {}).every(1, { priorty: 5 } as never),
        /^DataCollector\.every\(interval, options\): unknown option 'priorty'.*Did you mean 'priority'\?$/,
      ],
      [
        () => new DataTable(['a'], { maxrows: 5 } as never),
        /^new DataTable\(columns, options\): unknown option 'maxrows'.*Did you mean 'maxRows'\?$/,
      ],
      [
        () => new DataTable(['a']).toCSV({ headers: false } as never),
        /^DataTable\.toCSV\(options\): unknown option 'headers'.*Did you mean 'header'\?$/,
      ],
    ];
    for (const [call, message] of cases) expect(thrownInvalid(call).message).toMatch(message);
  });

  it('leave well-spelt options and predicates alone', () => {
    expect(model.agents.select((a) => a.id === 0).size).toBe(1);
    expect(model.agents.select({ type: Sheep, limit: 1 }).size).toBe(1);
    expect(new GridSpace({ width: 2, height: 2, torus: true, occupancy: 'multiple' }).torus).toBe(true);
  });
});
