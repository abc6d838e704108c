/**
 * Schelling's segregation model on a bounded grid, with the rules of JuliaDynamics'
 * ABMFrameworksComparison: two equal groups, single occupancy, Moore neighbourhood of radius r,
 * an agent is happy with at least `minSimilar` neighbours of its own group, unhappy agents move to a
 * random empty cell, random activation every tick.
 *
 *   npx tsx --conditions=@twinkit/source examples/abm/schelling.ts
 */
import { pathToFileURL } from 'node:url';
import { Agent, AgentModel, GridSpace, type NeighborQuery } from '@twinkit/abm';
import { defineModel, type Simulation } from '@twinkit/core';

/** Parameters of the Schelling model. */
export interface SchellingParams {
  width: number;
  height: number;
  agents: number;
  radius: number;
  minSimilar: number;
}

/** The small benchmark size of ABMFrameworksComparison. */
export const SMALL: SchellingParams = { width: 40, height: 40, agents: 1000, radius: 1, minSimilar: 3 };
/** The large benchmark size of ABMFrameworksComparison. */
export const LARGE: SchellingParams = { width: 100, height: 100, agents: 8000, radius: 2, minSimilar: 8 };

/**
 * A resident of one of two groups. Its group is a column-backed attribute: it lives in the model's
 * `groups` typed array at the resident's id, so a neighbour count reads ids from the grid and groups
 * from one Int8Array, and never touches a neighbour's object (the cost per agent-step then stays
 * flat as the model grows; see benchmarks/README.md).
 */
export class Resident extends Agent<SchellingModel> {
  happy = false;

  constructor(model: SchellingModel, group: 0 | 1) {
    super(model);
    model.groups[this.id] = group;
  }

  /** The resident's group (0 or 1). */
  get group(): 0 | 1 {
    return this.model.groups[this.id] as 0 | 1;
  }

  step(): void {
    const model = this.model;
    const ids = model.neighborIds;
    const groups = model.groups;
    const count = model.grid.collectNeighborIds(this, ids, model.query);
    const group = groups[this.id];
    let similar = 0;
    for (let i = 0; i < count; i++) if (groups[ids[i]!] === group) similar++;
    this.happy = similar >= model.minSimilar;
    if (!this.happy) model.grid.moveToRandomEmpty(this, model.rng);
  }
}

/** The model: a grid of residents stepped in random order every tick. */
export class SchellingModel extends AgentModel {
  readonly grid: GridSpace<Resident>;
  readonly query: NeighborQuery;
  readonly minSimilar: number;
  /** Each resident's group, by agent id (the column behind `Resident.group`). */
  readonly groups: Int8Array;
  /** Reused by every resident's neighbour query (no allocation per step): room for a Moore neighbourhood. */
  readonly neighborIds: Int32Array;

  constructor(sim: Simulation, params: SchellingParams) {
    super(sim);
    this.grid = this.addSpace(new GridSpace<Resident>({ width: params.width, height: params.height }));
    this.query = { neighborhood: 'moore', radius: params.radius };
    this.minSimilar = params.minSimilar;
    this.groups = new Int8Array(params.agents);
    this.neighborIds = new Int32Array((2 * params.radius + 1) ** 2);
    for (let i = 0; i < params.agents; i++) {
      const resident = new Resident(this, i % 2 === 0 ? 0 : 1);
      this.grid.placeInCell(resident, this.grid.randomEmptyCell(this.rng));
    }
    this.tick({ activation: 'random' });
  }

  /** Counts the happy residents (as of their last step). */
  happyCount(): number {
    return this.agentsOfType(Resident).count((r) => r.happy);
  }

  /** Returns the mean share of same-group residents among each resident's neighbours (radius 1). */
  segregationIndex(): number {
    let total = 0;
    let counted = 0;
    for (const resident of this.agentsOfType(Resident)) {
      let same = 0;
      let all = 0;
      this.grid.forEachNeighbor(resident, (other) => {
        all++;
        if (other.group === resident.group) same++;
      });
      if (all > 0) {
        total += same / all;
        counted++;
      }
    }
    return counted === 0 ? 0 : total / counted;
  }
}

/** The Schelling model as a definition (so it can be forked and replicated). */
export const schelling = defineModel<SchellingParams, SchellingModel>(
  (sim, params) => new SchellingModel(sim, params),
  { name: 'schelling', defaults: SMALL },
);

function main(): void {
  const sim = schelling.create({ seed: 42, params: SMALL });
  const model = sim.model;
  console.log('step  happy  segregation');
  console.log(`${'0'.padStart(4)}  ${'-'.padStart(5)}  ${model.segregationIndex().toFixed(4)}`);
  for (let step = 1; step <= 10; step++) {
    sim.run({ until: step });
    console.log(
      `${String(step).padStart(4)}  ${String(model.happyCount()).padStart(5)}  ${model.segregationIndex().toFixed(4)}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
