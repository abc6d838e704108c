/**
 * Wolf-sheep-grass predation (the NetLogo / Agents.jl model used by ABMFrameworksComparison):
 * sheep and wolves wander a grid, lose one unit of energy per step, eat (grass, sheep) to gain
 * energy, then die if their energy is below zero or else reproduce with a probability by halving
 * their energy. Grass regrows a fixed time after being eaten. Random activation; the grass
 * grows after the animals each tick.
 *
 *   npx tsx --conditions=@twinkit/source examples/abm/wolf-sheep.ts
 */
import { pathToFileURL } from 'node:url';
import { Agent, AgentModel, DataCollector, GridSpace } from '@twinkit/abm';
import { defineModel, type Simulation } from '@twinkit/core';

/** Parameters of the wolf-sheep-grass model. */
export interface WolfSheepParams {
  width: number;
  height: number;
  /** Whether the grid wraps around. */
  torus: boolean;
  sheep: number;
  wolves: number;
  regrowthTime: number;
  sheepGain: number;
  wolfGain: number;
  sheepReproduce: number;
  wolfReproduce: number;
}

/** The wolf-sheep benchmark of ABMFrameworksComparison (bounded 25x25 grid, 500 steps). */
export const COMPARISON: WolfSheepParams = {
  width: 25,
  height: 25,
  torus: false,
  sheep: 60,
  wolves: 40,
  regrowthTime: 20,
  sheepGain: 5,
  wolfGain: 13,
  sheepReproduce: 0.2,
  wolfReproduce: 0.1,
};

/** What wolves and sheep share: energy, a random walk, reproduction by splitting energy. */
abstract class Animal extends Agent<WolfSheepModel> {
  constructor(
    model: WolfSheepModel,
    public energy: number,
  ) {
    super(model);
  }

  /** Moves to a random Moore neighbour cell and pays one unit of energy. */
  protected walk(): void {
    const { grid, rng } = this.model;
    let chosen = -1;
    let seen = 0;
    // Reservoir choice among the neighbour cells: no array per step.
    grid.forEachNeighborCell(grid.cellOf(this), (cell) => {
      seen++;
      if (rng.next() * seen < 1) chosen = cell;
    });
    grid.moveToCell(this, chosen);
    this.energy -= 1;
  }

  /** Dies if out of energy, else reproduces with a probability by splitting its energy. */
  protected dieOrReproduce(probability: number, make: (energy: number) => Animal): void {
    if (this.energy < 0) {
      this.remove();
      return;
    }
    const model = this.model;
    if (model.rng.next() > probability) return;
    this.energy /= 2;
    const child = make(this.energy);
    model.grid.placeInCell(child, model.grid.cellOf(this));
  }
}

/** A sheep eats fully grown grass. */
export class Sheep extends Animal {
  step(): void {
    this.walk();
    const model = this.model;
    const cell = model.grid.cellOf(this);
    if (model.grassGrown[cell] === 1) {
      this.energy += model.params.sheepGain;
      model.grassGrown[cell] = 0;
      model.grassCountdown[cell] = model.params.regrowthTime;
    }
    this.dieOrReproduce(model.params.sheepReproduce, (energy) => new Sheep(model, energy));
  }
}

/** A wolf eats a random sheep in its cell. */
export class Wolf extends Animal {
  step(): void {
    this.walk();
    const model = this.model;
    const here = model.grid.agentsInCell(model.grid.cellOf(this));
    let prey: Sheep | undefined;
    let seen = 0;
    for (const other of here) {
      if (!(other instanceof Sheep)) continue;
      seen++;
      if (model.rng.next() * seen < 1) prey = other;
    }
    if (prey !== undefined) {
      prey.remove();
      this.energy += model.params.wolfGain;
    }
    this.dieOrReproduce(model.params.wolfReproduce, (energy) => new Wolf(model, energy));
  }
}

/** The model: animals on a grid (bounded or a torus) with a grass layer in typed arrays. */
export class WolfSheepModel extends AgentModel {
  readonly grid: GridSpace<Animal>;
  readonly grassGrown: Uint8Array;
  readonly grassCountdown: Int32Array;
  readonly data: DataCollector<WolfSheepModel>;

  constructor(
    sim: Simulation,
    readonly params: WolfSheepParams,
    options: { collectData?: boolean } = {},
  ) {
    super(sim);
    this.grid = this.addSpace(
      new GridSpace<Animal>({
        width: params.width,
        height: params.height,
        torus: params.torus,
        occupancy: 'multiple',
      }),
    );
    const rng = this.rng;
    for (let i = 0; i < params.sheep; i++)
      this.grid.placeInCell(
        new Sheep(this, rng.integer(0, 2 * params.sheepGain - 1)),
        this.grid.randomCell(rng),
      );
    for (let i = 0; i < params.wolves; i++)
      this.grid.placeInCell(
        new Wolf(this, rng.integer(0, 2 * params.wolfGain - 1)),
        this.grid.randomCell(rng),
      );
    const cells = this.grid.cellCount;
    this.grassGrown = new Uint8Array(cells);
    this.grassCountdown = new Int32Array(cells);
    for (let c = 0; c < cells; c++) {
      const grown = rng.next() < 0.5;
      this.grassGrown[c] = grown ? 1 : 0;
      this.grassCountdown[c] = grown ? params.regrowthTime : rng.integer(0, params.regrowthTime - 1);
    }
    this.defineCounts('predation', {
      key: (a) => (a instanceof Sheep ? 'sheep' : 'wolves'),
      categories: ['sheep', 'wolves'],
    });
    this.sim.state.define('predation.grass', { get: () => this.grassCount() });
    this.data = new DataCollector<WolfSheepModel>(this, {
      model: {
        sheep: (m) => m.sim.state.get('predation.sheep'),
        wolves: (m) => m.sim.state.get('predation.wolves'),
        grass: (m) => m.grassCount(),
      },
    });
    const collect = options.collectData ?? true;
    if (collect) this.data.collect();
    this.tick({
      activation: 'random',
      after: () => {
        this.growGrass();
        if (collect) this.data.collect();
      },
    });
  }

  /** Advances every eaten patch one step towards regrowth. */
  growGrass(): void {
    const { grassGrown, grassCountdown } = this;
    for (let c = 0; c < grassGrown.length; c++) {
      if (grassGrown[c] === 1) continue;
      if (grassCountdown[c]! <= 0) {
        grassGrown[c] = 1;
        grassCountdown[c] = this.params.regrowthTime;
      } else grassCountdown[c]! -= 1;
    }
  }

  /** Counts the patches of fully grown grass. */
  grassCount(): number {
    let n = 0;
    for (const g of this.grassGrown) n += g;
    return n;
  }
}

/** The parameters of Agents.jl's predator-prey tutorial under which the three populations coexist. */
export const STABLE: WolfSheepParams = {
  width: 30,
  height: 30,
  torus: true,
  sheep: 140,
  wolves: 20,
  regrowthTime: 30,
  sheepGain: 30,
  wolfGain: 5,
  sheepReproduce: 0.31,
  wolfReproduce: 0.06,
};

/** The wolf-sheep-grass model as a definition (collecting populations every tick). */
export const wolfSheep = defineModel<WolfSheepParams, WolfSheepModel>(
  (sim, params) => new WolfSheepModel(sim, params),
  { name: 'wolf-sheep', defaults: COMPARISON },
);

/** The same model without data collection: the benchmark workload, as in ABMFrameworksComparison. */
export const wolfSheepBare = defineModel<WolfSheepParams, WolfSheepModel>(
  (sim, params) => new WolfSheepModel(sim, params, { collectData: false }),
  { name: 'wolf-sheep-bare', defaults: COMPARISON },
);

function main(): void {
  const sim = wolfSheep.create({ seed: 11, params: STABLE });
  sim.run({ until: 200 });
  const table = sim.model.data.modelTable;
  console.log('tick  sheep  wolves  grass');
  for (let i = 0; i < table.length; i += 20) {
    const row = table.row(i);
    console.log(
      `${String(row.time).padStart(4)}  ${String(row.sheep).padStart(5)}  ${String(row.wolves).padStart(6)}  ${String(row.grass).padStart(5)}`,
    );
  }
  console.log('\nfirst rows as CSV:');
  const csv = table.toCSV().split('\n').slice(0, 4).join('\n');
  console.log(csv);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
