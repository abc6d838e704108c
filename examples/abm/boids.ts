/**
 * Flocking (boids) in a periodic continuous space, with the rules and parameters of the flocking
 * model of JuliaDynamics' ABMFrameworksComparison: each bird steers by cohesion, separation and
 * alignment with the birds it sees, normalises its velocity and flies one step; random activation. The polarisation
 * (length of the mean heading; 0 = disordered, 1 = all aligned) rises as flocks form.
 *
 *   npx tsx --conditions=@twinkit/source examples/abm/boids.ts
 */
import { pathToFileURL } from 'node:url';
import { Agent, AgentModel, ContinuousSpace } from '@twinkit/abm';
import { defineModel, type Simulation } from '@twinkit/core';

/** Parameters of the flocking model. */
export interface BoidsParams {
  birds: number;
  extent: number;
  speed: number;
  cohereFactor: number;
  separation: number;
  separateFactor: number;
  matchFactor: number;
  visualDistance: number;
}

/** The parameters of the flocking benchmark of ABMFrameworksComparison (300 birds, 100 steps). */
export const FLOCKING: BoidsParams = {
  birds: 300,
  extent: 100,
  speed: 1,
  cohereFactor: 0.03,
  separation: 1,
  separateFactor: 0.015,
  matchFactor: 0.05,
  visualDistance: 5,
};

/** A bird with a unit heading. */
export class Bird extends Agent<FlockModel> {
  constructor(
    model: FlockModel,
    public vx: number,
    public vy: number,
  ) {
    super(model);
  }

  step(): void {
    const model = this.model;
    const p = model.params;
    const space = model.space;
    let n = 0;
    let cohereX = 0;
    let cohereY = 0;
    let separateX = 0;
    let separateY = 0;
    let matchX = 0;
    let matchY = 0;
    const separation2 = p.separation * p.separation;
    space.forEachWithin(
      space.xOf(this),
      space.yOf(this),
      p.visualDistance,
      (other, dx, dy, d2) => {
        n++;
        cohereX += dx;
        cohereY += dy;
        if (d2 < separation2) {
          separateX -= dx;
          separateY -= dy;
        }
        matchX += other.vx;
        matchY += other.vy;
      },
      this,
    );
    n = Math.max(n, 1);
    let vx =
      (this.vx +
        (cohereX / n) * p.cohereFactor +
        (separateX / n) * p.separateFactor +
        (matchX / n) * p.matchFactor) /
      2;
    let vy =
      (this.vy +
        (cohereY / n) * p.cohereFactor +
        (separateY / n) * p.separateFactor +
        (matchY / n) * p.matchFactor) /
      2;
    const norm = Math.hypot(vx, vy);
    if (norm > 0) {
      vx /= norm;
      vy /= norm;
    }
    this.vx = vx;
    this.vy = vy;
    space.moveBy(this, vx * p.speed, vy * p.speed);
  }
}

/** The model: birds in a periodic square, stepped in random order. */
export class FlockModel extends AgentModel {
  readonly space: ContinuousSpace<Bird>;

  constructor(
    sim: Simulation,
    readonly params: BoidsParams,
  ) {
    super(sim);
    this.space = this.addSpace(
      new ContinuousSpace<Bird>({
        width: params.extent,
        height: params.extent,
        periodic: true,
        cellSize: params.visualDistance,
      }),
    );
    for (let i = 0; i < params.birds; i++) {
      const bird = new Bird(this, this.rng.uniform(-1, 1), this.rng.uniform(-1, 1));
      const { x, y } = this.space.randomPosition(this.rng);
      this.space.place(bird, x, y);
    }
    this.tick({ activation: 'random' });
  }

  /** Returns the length of the mean heading (0 = disordered, 1 = all aligned). */
  polarisation(): number {
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (const bird of this.agentsOfType(Bird)) {
      sx += bird.vx;
      sy += bird.vy;
      n++;
    }
    return n === 0 ? 0 : Math.hypot(sx, sy) / n;
  }

  /** Returns the mean number of birds each bird sees. */
  meanNeighbours(): number {
    let total = 0;
    const birds = this.agentsOfType(Bird);
    for (const bird of birds) total += this.space.neighborsWithin(bird, this.params.visualDistance).length;
    return total / birds.size;
  }
}

/** The flocking model as a definition. */
export const boids = defineModel<BoidsParams, FlockModel>((sim, params) => new FlockModel(sim, params), {
  name: 'boids',
  defaults: FLOCKING,
});

function main(): void {
  const sim = boids.create({ seed: 3, params: FLOCKING });
  const model = sim.model;
  console.log('step  polarisation  neighbours');
  for (let step = 0; step <= 100; step += 10) {
    sim.run({ until: step });
    console.log(
      `${String(step).padStart(4)}  ${model.polarisation().toFixed(4).padStart(12)}  ${model.meanNeighbours().toFixed(2).padStart(10)}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
