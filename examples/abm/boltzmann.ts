/**
 * Boltzmann wealth (Mesa's tutorial model): agents start with one unit of wealth each, wander a
 * torus grid, and give one unit to a random other agent in their cell. Wealth is conserved exactly;
 * its distribution drifts from equal (Gini 0) towards an exponential one (Gini near 0.5).
 *
 *   npx tsx --conditions=@twinkit/source examples/abm/boltzmann.ts
 */
import { pathToFileURL } from 'node:url';
import { Agent, AgentModel, DataCollector, GridSpace } from '@twinkit/abm';
import { defineModel, type Simulation } from '@twinkit/core';

/** Parameters of the Boltzmann wealth model. */
export interface BoltzmannParams {
  agents: number;
  width: number;
  height: number;
}

/** An agent holding an integer amount of wealth. */
export class Trader extends Agent<BoltzmannModel> {
  wealth = 1;

  step(): void {
    const { grid, rng } = this.model;
    // Move to a random Moore neighbour cell.
    const here = grid.cellOf(this);
    const options = grid.neighborCells(here);
    grid.moveToCell(this, options[Math.floor(rng.next() * options.length)]!);
    if (this.wealth === 0) return;
    const cellmates = grid.agentsInCell(grid.cellOf(this)).filter((other) => other !== this);
    if (cellmates.length === 0) return;
    const other = cellmates[Math.floor(rng.next() * cellmates.length)]!;
    other.wealth += 1;
    this.wealth -= 1;
  }
}

/** Returns the Gini coefficient of non-negative values (0 = all equal). */
export function gini(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const total = sorted.reduce((s, v) => s + v, 0);
  if (n === 0 || total === 0) return 0;
  let weighted = 0;
  sorted.forEach((v, i) => {
    weighted += (i + 1) * v;
  });
  return (2 * weighted) / (n * total) - (n + 1) / n;
}

/** The model: traders on a torus, random activation, Gini and total wealth collected every tick. */
export class BoltzmannModel extends AgentModel {
  readonly grid: GridSpace<Trader>;
  readonly data: DataCollector<BoltzmannModel, Trader>;

  constructor(sim: Simulation, params: BoltzmannParams) {
    super(sim);
    this.grid = this.addSpace(
      new GridSpace<Trader>({
        width: params.width,
        height: params.height,
        torus: true,
        occupancy: 'multiple',
      }),
    );
    for (let i = 0; i < params.agents; i++)
      this.grid.placeInCell(new Trader(this), this.grid.randomCell(this.rng));
    this.defineAggregate('economy.totalWealth', { type: Trader, reduce: 'sum', value: (t) => t.wealth });
    this.data = new DataCollector<BoltzmannModel, Trader>(this, {
      model: {
        gini: (m) => gini(m.agentsOfType(Trader).map((t) => t.wealth)),
        totalWealth: (m) => m.sim.state.get('economy.totalWealth'),
      },
      agents: { wealth: (t) => t.wealth },
    });
    this.data.collect();
    this.tick({ activation: 'random', after: () => this.data.collect() });
  }
}

/** The Boltzmann wealth model as a definition. */
export const boltzmann = defineModel<BoltzmannParams, BoltzmannModel>(
  (sim, params) => new BoltzmannModel(sim, params),
  { name: 'boltzmann', defaults: { agents: 100, width: 10, height: 10 } },
);

function main(): void {
  const sim = boltzmann.create({ seed: 7, params: { agents: 100, width: 10, height: 10 } });
  sim.run({ until: 100 });
  const table = sim.model.data.modelTable;
  const time = table.column('time') as number[];
  const giniColumn = table.column('gini') as number[];
  const wealth = table.column('totalWealth') as number[];
  console.log('tick  gini    total wealth');
  for (let i = 0; i < time.length; i += 10) {
    console.log(`${String(time[i]).padStart(4)}  ${giniColumn[i]!.toFixed(4)}  ${wealth[i]}`);
  }
  const richest = sim.model.agentsOfType(Trader).sortBy((t) => t.wealth, { descending: true });
  console.log(
    `richest agents: ${richest
      .select({ limit: 5 })
      .map((t) => `#${t.id}=${t.wealth}`)
      .join(' ')}`,
  );
  console.log(`agent rows collected: ${sim.model.data.agentTable.length}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
