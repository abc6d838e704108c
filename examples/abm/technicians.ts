/**
 * Maintenance technicians on a factory floor: machines fail at random (exponential times between
 * failures), a dispatcher hands failed machines to idle technicians first come first served, and a
 * technician finds a path with A* around the machine rows, walks it on the simulation clock
 * (`grid.moveAlong`), and repairs the machine (a triangular repair time): agents written as processes,
 * like DES processes, on the shared clock. Aggregates (idle technicians, failed machines) are
 * published in the state vector and sampled every shift.
 *
 * Time unit: minutes. One cell: 5 m.
 *
 *   npx tsx --conditions=@twinkit/source examples/abm/technicians.ts
 */
import { pathToFileURL } from 'node:url';
import { Agent, AgentModel, DataCollector, type GridPoint, GridSpace } from '@twinkit/abm';
import { defineModel, type Event, type Simulation } from '@twinkit/core';

/** Parameters of the maintenance model. */
export interface FactoryParams {
  technicians: number;
  /** Mean time between failures of a machine (minutes). */
  meanTimeBetweenFailures: number;
  /** Repair time: triangular(min, mode, max) minutes. */
  repairTime: readonly [number, number, number];
  /** Walking speed in cells per minute. */
  speed: number;
}

export const DEFAULTS: FactoryParams = {
  technicians: 2,
  meanTimeBetweenFailures: 600,
  repairTime: [10, 20, 45],
  speed: 12,
};

/**
 * The floor: `#` walls, `M` machines (not walkable; serviced from the cell below), `.` aisles,
 * `D` the technicians' depot.
 */
const FLOOR = [
  '##############################',
  '#D...........................#',
  '#..MMM..MMM..MMM..MMM..MMM...#',
  '#............................#',
  '#...........######...........#',
  '#..MMM..MMM.#....#.MMM..MMM..#',
  '#...........#....#...........#',
  '#...........##.###...........#',
  '#............................#',
  '##############################',
];

/** A machine that fails and waits for a repair. */
export class Machine extends Agent<FactoryModel> {
  state: 'running' | 'failed' | 'repairing' = 'running';
  failures = 0;
  downtime = 0;
  repaired: Event<void> | null = null;

  constructor(
    model: FactoryModel,
    readonly name: string,
    readonly servicePoint: GridPoint,
  ) {
    super(model);
  }

  /** Runs the machine: fail, wait for the repair, run again. */
  start(): void {
    const machine = this;
    const { sim, params } = this.model;
    const failures = sim.rng('failures');
    this.process(function* () {
      for (;;) {
        yield sim.timeout(failures.exponential(params.meanTimeBetweenFailures));
        machine.state = 'failed';
        machine.failures++;
        const failedAt = sim.now;
        machine.repaired = sim.event<void>();
        machine.model.reportFailure(machine);
        yield machine.repaired;
        machine.downtime += sim.now - failedAt;
        machine.state = 'running';
      }
    });
  }
}

/** A technician who walks to failed machines and repairs them. */
export class Technician extends Agent<FactoryModel> {
  idle = true;
  repairs = 0;
  walked = 0;

  /** Runs the technician: take the next job, walk there by A*, repair, repeat. */
  start(): void {
    const tech = this;
    const { sim, grid, params } = this.model;
    const repairs = sim.rng('repairs');
    this.process(function* () {
      for (;;) {
        const machine: Machine = yield tech.model.nextJob(tech);
        tech.idle = false;
        const path = grid.findPath(grid.positionOf(tech), machine.servicePoint, { diagonal: true });
        if (path === null) throw new Error(`${machine.name} cannot be reached`);
        tech.walked += path.cost;
        yield grid.moveAlong(tech, path, params.speed);
        machine.state = 'repairing';
        yield sim.timeout(
          repairs.triangular(params.repairTime[0], params.repairTime[1], params.repairTime[2]),
        );
        machine.repaired!.succeed();
        tech.repairs++;
        tech.idle = true;
      }
    });
  }
}

/** The factory: floor grid, machines, technicians, a first-come-first-served dispatcher. */
export class FactoryModel extends AgentModel {
  readonly grid: GridSpace<Technician>;
  readonly machines: Machine[] = [];
  readonly technicians: Technician[] = [];
  readonly data: DataCollector<FactoryModel>;
  private readonly queue: Machine[] = [];
  private readonly waiting: Event<Machine>[] = [];

  constructor(
    sim: Simulation,
    readonly params: FactoryParams,
  ) {
    super(sim);
    const height = FLOOR.length;
    const width = FLOOR[0]!.length;
    this.grid = this.addSpace(new GridSpace<Technician>({ width, height, occupancy: 'multiple' }));
    let depot: GridPoint = { x: 1, y: 1 };
    FLOOR.forEach((row, y) => {
      [...row].forEach((ch, x) => {
        if (ch === '#' || ch === 'M') this.grid.setWalkable(x, y, false);
        if (ch === 'M' && FLOOR[y - 1]?.[x] !== 'M' && row[x - 1] !== 'M') {
          // One machine per block of three cells, serviced from the aisle cell below its middle.
          this.machines.push(new Machine(this, `M${this.machines.length + 1}`, { x: x + 1, y: y + 1 }));
        }
        if (ch === 'D') depot = { x, y };
      });
    });
    for (let i = 0; i < params.technicians; i++) {
      const tech = new Technician(this);
      this.technicians.push(tech);
      this.grid.place(tech, depot.x, depot.y);
    }
    this.defineAggregate('maintenance.idleTechnicians', {
      type: Technician,
      reduce: 'count',
      where: (t) => t.idle,
    });
    this.defineAggregate('maintenance.failedMachines', {
      type: Machine,
      reduce: 'count',
      where: (m) => m.state !== 'running',
    });
    this.data = new DataCollector<FactoryModel>(this, {
      model: {
        idleTechnicians: (m) => m.sim.state.get('maintenance.idleTechnicians'),
        failedMachines: (m) => m.sim.state.get('maintenance.failedMachines'),
        queue: (m) => m.queue.length,
      },
    });
    this.data.every(480); // once per 8-hour shift
    for (const machine of this.machines) machine.start();
    for (const tech of this.technicians) tech.start();
  }

  /** Hands a failed machine to a waiting technician, or queues it. */
  reportFailure(machine: Machine): void {
    const technician = this.waiting.shift();
    if (technician !== undefined) technician.succeed(machine);
    else this.queue.push(machine);
  }

  /** Returns an event that succeeds with the next machine to repair for `tech`. */
  nextJob(_tech: Technician): Event<Machine> {
    const job = this.sim.event<Machine>();
    const machine = this.queue.shift();
    if (machine !== undefined) job.succeed(machine);
    else this.waiting.push(job);
    return job;
  }
}

/** The maintenance model as a definition. */
export const factory = defineModel<FactoryParams, FactoryModel>(
  (sim, params) => new FactoryModel(sim, params),
  {
    name: 'technicians',
    defaults: DEFAULTS,
  },
);

function main(): void {
  const week = 7 * 24 * 60;
  const sim = factory.create({ seed: 5, params: DEFAULTS });
  sim.run({ until: week });
  const model = sim.model;
  console.log(
    `machines: ${model.machines.length}, technicians: ${model.technicians.length}, one week simulated`,
  );
  console.log('machine  failures  downtime(min)  availability');
  for (const m of model.machines) {
    const availability = 1 - m.downtime / week;
    console.log(
      `${m.name.padEnd(7)}  ${String(m.failures).padStart(8)}  ${m.downtime.toFixed(1).padStart(13)}  ${availability.toFixed(4).padStart(12)}`,
    );
  }
  for (const t of model.technicians) {
    console.log(`technician #${t.id}: ${t.repairs} repairs, walked ${(t.walked * 5).toFixed(0)} m`);
  }
  const shifts = model.data.modelTable;
  const failed = shifts.numbers('failedMachines');
  console.log(
    `shift samples: ${shifts.length}, max failed machines at a shift change: ${Math.max(...failed)}`,
  );
  console.log(
    `state vector now: ${sim.state.names
      .filter((n) => n.startsWith('maintenance.'))
      .map((n) => `${n}=${sim.state.get(n)}`)
      .join(', ')}`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
