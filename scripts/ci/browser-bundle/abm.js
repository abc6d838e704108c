// Runs in a browser (bundled by scripts/ci/browser-bundle.mjs): Boltzmann wealth on a GridSpace.
import { Agent, AgentModel, GridSpace } from '@twinkit/abm';
import { defineModel } from '@twinkit/core';

class Trader extends Agent {
  wealth = 1;
  steps = 0;
  step() {
    this.steps++;
    const { grid, rng } = this.model;
    grid.moveToRandomEmpty(this, rng);
    if (this.wealth === 0) return;
    const partners = grid.neighbors(this);
    if (partners.length === 0) return;
    partners[rng.integer(0, partners.length - 1)].wealth++;
    this.wealth--;
  }
}

class Market extends AgentModel {
  grid = this.addSpace(new GridSpace({ width: 10, height: 10, torus: true }));
  constructor(sim) {
    super(sim);
    for (let i = 0; i < 40; i++) this.grid.placeInCell(new Trader(this), this.grid.randomEmptyCell(this.rng));
    this.tick({ activation: 'random' });
  }
}

const sim = defineModel((s) => new Market(s)).create({ seed: 5 });
sim.run({ until: 8 });
const traders = sim.model.agentsOfType(Trader).toArray();
window.__result = {
  now: sim.now,
  agents: sim.model.agentCount,
  onGrid: sim.model.grid.agentCount,
  steps: [...new Set(traders.map((t) => t.steps))],
  totalWealth: traders.reduce((s, t) => s + t.wealth, 0),
  maxWealth: Math.max(...traders.map((t) => t.wealth)),
};
