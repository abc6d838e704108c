/**
 * The hybrid factory model: a DES production line, SD machine health and ABM technicians on one
 * clock (time unit: minutes; health in percent).
 *
 * - Parts arrive (exponential) and visit the machines in order; each machine takes parts from its
 *   input buffer (FIFO). A machine that fails while processing keeps the part and finishes it
 *   after the repair; a failed idle machine may take a part but does not start it until repaired.
 * - Each machine's health is an SD stock (`line1.machine<i>.health`) that wears at the busy or idle
 *   rate (0 while down). Its crossing of the failure threshold is a state event (`onCrossing`) that
 *   fails the machine. A repair restores health to 100.
 * - Technicians are agents on a grid floor. The dispatcher gives a failed machine to the nearest
 *   available technician (shortest A* path); the technician walks there (`moveAlong`), repairs
 *   (Normal(45, 8) min, resampled when ≤ 0), then takes the next queued job or walks back to the
 *   post (technicians are posted along the bottom aisle), and can be dispatched again from wherever
 *   it is on the way.
 * - With `record: true` (the "physical plant"), sensors read vibration and temperature of every
 *   machine at their own rates, and machine state changes are logged; all go to `telemetry`.
 */
import { Agent, AgentModel, type GridPoint, GridSpace } from '@twinkit/abm';
import {
  defineModel,
  type Event,
  Interrupt,
  invalidArgument,
  type Process,
  type RandomStream,
  type Simulation,
  TwinkitError,
} from '@twinkit/core';
import { Store, type StoreGet } from '@twinkit/des';
import { attach, SdModel } from '@twinkit/sd';
import {
  type FactoryParams,
  meanProcessingTime,
  type ProcessingTime,
  processingTimeOf,
  validateParams,
} from './params';
import { type SensorKind, temperatureOf, vibrationOf } from './sensors';

/** A reading recorded by the plant's sensors (time in minutes; `truth` is the hidden health). */
export interface PlantReading {
  t: number;
  machine: number;
  kind: SensorKind;
  value: number;
  quality: 'good' | 'uncertain';
  truth: number;
}

/** One step of the model's trace (recorded with `record: true`), used by the invariant tests. */
export interface TraceEntry {
  t: number;
  what: 'start' | 'finish' | 'pause' | 'resume' | 'fail' | 'repair' | 'repaired';
  machine: number;
}

/** A polyline walked by a technician (cells as [x, y]). */
export interface WalkRecord {
  technician: number;
  kind: 'to-job' | 'return';
  start: number;
  cells: [number, number][];
}

/** The KPIs of a run, from time `since` to now. */
export interface FactoryKpis {
  /** Parts finished by the last machine per hour. */
  throughput: number;
  /** Mean fraction of time the machines process parts. */
  utilization: number;
  /** Mean downtime per machine, hours. */
  downtimeHours: number;
  /** Mean availability (uptime fraction) of the machines. */
  availability: number;
  /** Failures of all machines. */
  failures: number;
  /** Uptime of all machines, hours (MTBF = uptime / failures, pooled). */
  uptimeHours: number;
  /** OEE = availability × performance × quality, mean over machines (quality 1: no scrap modelled). */
  oee: number;
  /** Fraction of technician time spent walking to jobs and repairing. */
  technicianUtilization: number;
  /** Cost of the technicians' time (all of it, busy or not): technicians × hours × `technicianCost`. */
  laborCost: number;
  /** Cost of the machines' downtime: machine-hours down × `downtimeCost`. */
  downtimeCost: number;
  /** `laborCost + downtimeCost`. */
  totalCost: number;
}

/** A machine of the line: its buffer, its health stock and its counters. */
export class Machine {
  /** The machine's input buffer (FIFO, unbounded): a `Store` of part numbers. */
  readonly buffer: Store<number>;
  down = false;
  busy = false;
  /**
   * The machine's get request on its buffer while it waits for a part. Once granted (`triggered`)
   * it holds the part taken until the machine's process resumes at the same instant.
   */
  taking: StoreGet<number> | null = null;
  /** Part held (being processed or waiting for the repair), or -1. */
  holding = -1;
  failures = 0;
  /** Times of this machine's failures (failures are rare: a few per month). */
  readonly failureTimes: number[] = [];
  processed = 0;
  repaired: Event<void> | null = null;
  process: Process<never> | null = null;
  private downSince = 0;
  private busySince = 0;
  private wearRate: number;
  // The SD model's own names, which the `line1.machine<i>.*` aliases point at (no alias on hot paths).
  private readonly sdHealth: string;
  private readonly sdWearRate: string;
  private downTotal = 0;
  private busyTotal = 0;

  constructor(
    private readonly factory: Factory,
    readonly index: number,
    readonly servicePoint: GridPoint,
    readonly processing: ProcessingTime,
  ) {
    this.buffer = new Store<number>(factory.sim, { name: `line1.machine${index + 1}.buffer` });
    factory.sim.state.define(`line1.machine${index + 1}.queueLength`, { get: () => this.buffer.size });
    this.sdHealth = `line1.sd.machine${index + 1}_health`;
    this.sdWearRate = `line1.sd.machine${index + 1}_wear_rate`;
    this.wearRate = factory.params.idleWearRate;
  }

  /** Puts a part into the buffer (unbounded, so the put succeeds at once). */
  enqueue(part: number): void {
    this.buffer.put(part);
  }

  /** The state-vector name of this machine's health stock. */
  get healthName(): string {
    return `line1.machine${this.index + 1}.health`;
  }

  /** Returns the hidden health now. */
  get health(): number {
    return this.factory.sim.state.get(this.sdHealth);
  }

  /** Sets the wear rate from the machine's condition. */
  updateWear(): void {
    const p = this.factory.params;
    const rate = this.down ? 0 : this.busy ? p.busyWearRate : p.idleWearRate;
    if (rate === this.wearRate) return;
    this.wearRate = rate;
    this.factory.sim.state.set(this.sdWearRate, rate);
  }

  /** Marks the machine busy or idle (its wear rate follows). */
  setBusy(busy: boolean): void {
    const now = this.factory.sim.now;
    if (busy && !this.busy) this.busySince = now;
    if (!busy && this.busy) this.busyTotal += now - this.busySince;
    this.busy = busy;
    this.updateWear();
  }

  /** Fails the machine now (no effect when it is already down). */
  fail(): void {
    if (this.down) return;
    const f = this.factory;
    this.down = true;
    this.failures++;
    this.failureTimes.push(f.sim.now);
    this.downSince = f.sim.now;
    this.repaired = f.sim.event<void>();
    f.log('fail', this.index);
    f.reading(this.index, 'state', 0, 'good');
    if (this.busy) {
      this.setBusy(false);
      this.process?.interrupt('failure');
    }
    this.updateWear();
    f.dispatch(this);
  }

  /** Ends the repair: health back to 100, the held part (if any) resumes. */
  completeRepair(): void {
    const f = this.factory;
    f.sim.state.set(this.sdHealth, 100);
    this.down = false;
    this.downTotal += f.sim.now - this.downSince;
    f.log('repaired', this.index);
    f.reading(this.index, 'state', 1, 'good');
    this.updateWear();
    const done = this.repaired;
    this.repaired = null;
    done?.succeed();
  }

  /** Returns the minutes down and busy so far (ongoing periods included). */
  totals(): { down: number; busy: number } {
    const now = this.factory.sim.now;
    return {
      down: this.downTotal + (this.down ? now - this.downSince : 0),
      busy: this.busyTotal + (this.busy ? now - this.busySince : 0),
    };
  }
}

/** A maintenance technician. */
export class Technician extends Agent<Factory> {
  state: 'idle' | 'assigned' | 'travel' | 'repair' | 'returning' = 'idle';
  /** Where the technician waits for work. */
  post: GridPoint = { x: 0, y: 0 };
  /** The machine being repaired (while `state === 'repair'`). */
  job: Machine | null = null;
  repairs = 0;
  private pending: Machine | null = null;
  private wake: Event<Machine> | null = null;
  private busySince = 0;
  private busyTotal = 0;

  /** True when the dispatcher may give this technician a job. */
  get available(): boolean {
    return this.pending === null && (this.state === 'idle' || this.state === 'returning');
  }

  /** Hands a job to this available technician. */
  assign(machine: Machine): void {
    this.busySince = this.model.sim.now;
    this.pending = machine;
    this.state = 'assigned';
    const wake = this.wake;
    this.wake = null;
    wake?.succeed(machine);
  }

  /** Returns the minutes spent on jobs so far (the ongoing one included). */
  busyMinutes(): number {
    const busy = this.state === 'assigned' || this.state === 'travel' || this.state === 'repair';
    return this.busyTotal + (busy ? this.model.sim.now - this.busySince : 0);
  }

  /** Runs the technician's loop of jobs. */
  start(): void {
    const tech = this;
    const factory = this.model;
    const { sim, floor, params } = factory;
    const repairs = sim.rng('repairs');
    this.process(function* () {
      for (;;) {
        if (tech.pending === null) {
          tech.state = 'idle';
          tech.wake = sim.event<Machine>();
          yield tech.wake;
        }
        const machine = tech.pending!;
        tech.pending = null;
        tech.state = 'travel';
        const path = floor.findPath(floor.positionOf(tech), machine.servicePoint, { diagonal: true });
        if (path === null)
          throw new TwinkitError(
            `Technician#${tech.id}: machine ${machine.index + 1} cannot be reached from its cell; the floor layout must connect every service point to the aisle.`,
            { code: 'INVALID_STATE' },
          );
        factory.walk(tech, 'to-job', path.cells);
        yield tech.moveAlong(path, params.walkSpeed);
        tech.state = 'repair';
        tech.job = machine;
        factory.log('repair', machine.index);
        let minutes = repairs.normal(params.repairMean, params.repairSd);
        // Truncation at zero by resampling: the repair time is Normal(45, 8) given that it is
        // positive. Clamping would put the whole tail mass on a zero-length repair instead.
        while (minutes <= 0) minutes = repairs.normal(params.repairMean, params.repairSd);
        yield sim.timeout(minutes);
        machine.completeRepair();
        tech.job = null;
        tech.repairs++;
        tech.busyTotal += sim.now - tech.busySince;
        const next = factory.nextQueuedJob();
        if (next !== undefined) {
          tech.busySince = sim.now;
          tech.pending = next;
          continue;
        }
        // Walk back to the post a cell at a time, ready to be dispatched from wherever it is.
        tech.state = 'returning';
        const home = floor.findPath(floor.positionOf(tech), tech.post, { diagonal: true });
        if (home === null) {
          throw new TwinkitError(
            `Technician#${tech.id}: its post cannot be reached from its cell; the floor layout must connect the aisle.`,
            { code: 'INVALID_STATE' },
          );
        }
        const walked: [number, number][] = [floor.pointOf(home.cells[0]!)];
        for (let i = 1; i < home.cells.length && tech.pending === null; i++) {
          const from = home.cells[i - 1]!;
          const to = home.cells[i]!;
          const diagonal =
            floor.xOfCell(from) !== floor.xOfCell(to) && floor.yOfCell(from) !== floor.yOfCell(to);
          yield sim.timeout(((diagonal ? Math.SQRT2 : 1) * floor.costOf(to)) / params.walkSpeed);
          floor.moveToCell(tech, to);
          walked.push(floor.pointOf(to));
        }
        factory.walk(tech, 'return', home.cells.slice(0, walked.length));
      }
    });
  }
}

/** The factory: line, health stocks, floor, technicians, dispatcher and (optionally) sensors. */
export class Factory extends AgentModel {
  readonly floor: GridSpace<Technician>;
  readonly machines: Machine[] = [];
  readonly technicians: Technician[] = [];
  /** Where each technician waits for work (one post per technician, spread along the bottom aisle). */
  readonly posts: GridPoint[];
  /** Jobs waiting for a technician, first come first served. */
  readonly queue: Machine[] = [];
  readonly telemetry: PlantReading[] = [];
  readonly trace: TraceEntry[] = [];
  readonly walks: WalkRecord[] = [];
  arrived = 0;
  completed = 0;
  /** Where failures come from now (see {@link FactoryParams.failures}). */
  failureSource: 'health' | 'reported';
  private kpiStart = 0;

  constructor(
    sim: Simulation,
    readonly params: FactoryParams,
  ) {
    super(sim, { rngStream: 'floor' });
    validateParams(params);
    this.failureSource = params.failures ?? 'health';
    const layout = floorLayout(params.machines);
    this.floor = this.addSpace(
      new GridSpace<Technician>({ width: layout.width, height: layout.height, occupancy: 'multiple' }),
    );
    for (const [x, y] of layout.blocked) this.floor.setWalkable(x, y, false);
    this.posts = technicianPosts(layout, params.technicians);
    for (let i = 0; i < params.machines; i++) {
      this.machines.push(new Machine(this, i, layout.servicePoints[i]!, processingTimeOf(params, i)));
    }
    this.buildHealth();
    this.buildLine();
    for (let i = 0; i < params.technicians; i++) {
      const tech = new Technician(this);
      this.technicians.push(tech);
      tech.post = this.posts[i]!;
      this.floor.place(tech, tech.post.x, tech.post.y);
      tech.start();
    }
    if (params.record) this.buildSensors();
    sim.onInput<{ machine: number }>('failure', ({ machine }) => {
      const m = this.machines[machine];
      if (m === undefined) {
        throw invalidArgument(
          "sim.input('failure', { machine })",
          `machine must be an index 0..${this.machines.length - 1}`,
          machine,
          'Report failures of machines of this line.',
        );
      }
      m.fail();
    });
    sim.onInput<'health' | 'reported'>('failure-source', (source) => {
      this.failureSource = source;
      if (source === 'health') {
        // A corrected health may already be at or below the threshold without having crossed it.
        for (const m of this.machines) if (!m.down && m.health <= params.failureThreshold) m.fail();
      }
    });
    sim.state.define('maintenance.idleTechnicians', {
      get: () => this.technicians.filter((t) => t.available).length,
    });
    sim.state.define('maintenance.queue', { get: () => this.queue.length });
  }

  private buildHealth(): void {
    const p = this.params;
    // One SD model holds every machine's stock (one integrator on the clock instead of one per
    // machine); `line1.machine<i>.health` and `.wear_rate` are aliases of its variables.
    const sd = new SdModel({ start: 0, stop: 1e9, dt: 60, method: 'euler' });
    for (const m of this.machines) {
      const id = `machine${m.index + 1}`;
      sd.stock(`${id} health`, { initial: p.initialHealth?.[m.index] ?? 100, outflows: [`${id} wear`] });
      sd.flow(`${id} wear`, `${id}_wear_rate`);
      sd.constant(`${id} wear rate`, p.idleWearRate);
    }
    const coupling = attach(this.sim, sd, { prefix: 'line1.sd' });
    for (const m of this.machines) {
      const id = `machine${m.index + 1}`;
      for (const name of ['health', 'wear_rate']) {
        const target = `line1.sd.${id}_${name}`;
        this.sim.state.define(`line1.${id}.${name}`, {
          get: () => this.sim.state.get(target),
          set: (v) => this.sim.state.set(target, v),
        });
      }
      coupling.onCrossing(`${id} health`, p.failureThreshold, 'down', () => {
        if (this.failureSource === 'health') m.fail();
      });
    }
  }

  private buildLine(): void {
    const { sim, params } = this;
    const factory = this;
    const arrivals = sim.rng('arrivals');
    sim.process(function* () {
      for (;;) {
        yield sim.timeout(arrivals.exponential(params.arrivalMean));
        factory.arrived++;
        factory.machines[0]!.enqueue(factory.arrived);
      }
    });
    for (const m of this.machines) {
      const draw = sim.rng(`processing/machine${m.index + 1}`);
      m.process = sim.process(function* () {
        for (;;) {
          m.taking = m.buffer.get();
          const part: number = yield m.taking;
          m.taking = null;
          m.holding = part;
          while (m.down) yield m.repaired!;
          let remaining = sample(draw, m.processing);
          factory.log('start', m.index);
          m.setBusy(true);
          while (remaining > 0) {
            const began = sim.now;
            try {
              yield sim.timeout(remaining);
              remaining = 0;
            } catch (error) {
              if (!(error instanceof Interrupt)) throw error;
              remaining -= sim.now - began;
              factory.log('pause', m.index);
              while (m.down) yield m.repaired!;
              factory.log('resume', m.index);
              m.setBusy(true);
            }
          }
          m.setBusy(false);
          m.processed++;
          m.holding = -1;
          factory.log('finish', m.index);
          const next = factory.machines[m.index + 1];
          if (next === undefined) factory.completed++;
          else next.enqueue(part);
        }
      }) as Process<never>;
    }
  }

  private buildSensors(): void {
    const { sim, params } = this;
    for (const m of this.machines) {
      const vib = sim.rng(`sensors/machine${m.index + 1}/vibration`);
      const temp = sim.rng(`sensors/machine${m.index + 1}/temperature`);
      const factory = this;
      sim.process(function* () {
        for (;;) {
          yield sim.timeout(params.vibrationInterval);
          // A stopped machine does not vibrate as in operation: the reading is flagged, not dropped.
          factory.reading(
            m.index,
            'vibration',
            vibrationOf(m.health) + vib.normal(0, params.vibrationNoise),
            m.down ? 'uncertain' : 'good',
          );
        }
      });
      sim.process(function* () {
        for (;;) {
          yield sim.timeout(params.temperatureInterval);
          factory.reading(
            m.index,
            'temperature',
            temperatureOf(m.health) + temp.normal(0, params.temperatureNoise),
            m.down ? 'uncertain' : 'good',
          );
        }
      });
    }
  }

  /** Records a reading (plant runs only). */
  reading(machine: number, kind: SensorKind, value: number, quality: 'good' | 'uncertain'): void {
    if (!this.params.record) return;
    this.telemetry.push({
      t: this.sim.now,
      machine,
      kind,
      value,
      quality,
      truth: this.machines[machine]!.health,
    });
  }

  /** Records a trace entry (plant runs only). */
  log(what: TraceEntry['what'], machine: number): void {
    if (this.params.record) this.trace.push({ t: this.sim.now, what, machine });
  }

  /** Records a walk (plant runs only). */
  walk(tech: Technician, kind: WalkRecord['kind'], cells: readonly number[]): void {
    if (!this.params.record) return;
    this.walks.push({
      technician: tech.id,
      kind,
      start: this.sim.now,
      cells: cells.map((c) => this.floor.pointOf(c)),
    });
  }

  /** Gives a failed machine to the nearest available technician, or queues it. */
  dispatch(machine: Machine): void {
    let best: Technician | undefined;
    let bestCost = Number.POSITIVE_INFINITY;
    for (const tech of this.technicians) {
      if (!tech.available) continue;
      const path = this.floor.findPath(this.floor.positionOf(tech), machine.servicePoint, { diagonal: true });
      if (path !== null && path.cost < bestCost) {
        best = tech;
        bestCost = path.cost;
      }
    }
    if (best === undefined) this.queue.push(machine);
    else best.assign(machine);
  }

  /** Takes the oldest queued job, if any. */
  nextQueuedJob(): Machine | undefined {
    return this.queue.shift();
  }

  /** Restarts the KPI window at the current time (counters of parts, failures and time). */
  resetKpis(): void {
    this.kpiStart = this.sim.now;
    this.kpiBase = this.rawTotals();
  }

  private kpiBase = { completed: 0, failures: 0, down: 0, busy: 0, processed: [] as number[], techBusy: 0 };

  private rawTotals() {
    let down = 0;
    let busy = 0;
    let failures = 0;
    for (const m of this.machines) {
      const t = m.totals();
      down += t.down;
      busy += t.busy;
      failures += m.failures;
    }
    return {
      completed: this.completed,
      failures,
      down,
      busy,
      processed: this.machines.map((m) => m.processed),
      techBusy: this.technicians.reduce((s, t) => s + t.busyMinutes(), 0),
    };
  }

  /** Returns the KPIs since the start (or since {@link Factory.resetKpis}). */
  kpis(): FactoryKpis {
    const span = this.sim.now - this.kpiStart;
    const now = this.rawTotals();
    const base = this.kpiBase;
    const n = this.machines.length;
    const down = now.down - base.down;
    const uptime = n * span - down;
    let oee = 0;
    this.machines.forEach((m, i) => {
      const ideal = meanProcessingTime(m.processing);
      const count = m.processed - (base.processed[i] ?? 0);
      // availability × performance = (uptime / planned) × (ideal cycle × count / uptime)
      oee += (ideal * count) / span / n;
    });
    const laborCost = (this.technicians.length * span * this.params.technicianCost) / 60;
    const downtimeCost = (down * this.params.downtimeCost) / 60;
    return {
      throughput: ((now.completed - base.completed) / span) * 60,
      utilization: (now.busy - base.busy) / (n * span),
      downtimeHours: down / n / 60,
      availability: uptime / (n * span),
      failures: now.failures - base.failures,
      uptimeHours: uptime / 60,
      oee,
      technicianUtilization: (now.techBusy - base.techBusy) / (this.technicians.length * span),
      laborCost,
      downtimeCost,
      totalCost: laborCost + downtimeCost,
    };
  }
}

function sample(rng: RandomStream, p: ProcessingTime): number {
  switch (p.dist) {
    case 'triangular':
      return rng.triangular(p.min, p.mode, p.max);
    case 'exponential':
      return rng.exponential(p.mean);
    case 'uniform':
      return rng.uniform(p.min, p.max);
    case 'constant':
      return p.value;
  }
}

/** The factory floor: walls, machine blocks, a conveyor with three gaps, the technicians' aisle. */
export interface FloorLayout {
  width: number;
  height: number;
  blocked: [number, number][];
  servicePoints: GridPoint[];
  machineBlocks: { x: number; y: number; width: number; height: number }[];
  /** The aisle along which technicians are posted (y, and the x range). */
  aisle: { y: number; from: number; to: number };
}

/** Returns `n` posts spread evenly along the floor's bottom aisle. */
export function technicianPosts(layout: FloorLayout, n: number): GridPoint[] {
  const { y, from, to } = layout.aisle;
  return Array.from({ length: n }, (_, i) => ({
    x: n === 1 ? from : Math.round(from + (i * (to - from)) / (n - 1)),
    y,
  }));
}

/** Returns the floor layout for `machines` machines (cells of 1 m). */
export function floorLayout(machines: number): FloorLayout {
  const width = 10 + 6 * machines;
  const height = 14;
  const blocked: [number, number][] = [];
  for (let x = 0; x < width; x++) blocked.push([x, 0], [x, height - 1]);
  for (let y = 1; y < height - 1; y++) blocked.push([0, y], [width - 1, y]);
  const servicePoints: GridPoint[] = [];
  const machineBlocks: FloorLayout['machineBlocks'] = [];
  for (let i = 0; i < machines; i++) {
    const x0 = 6 + 6 * i;
    machineBlocks.push({ x: x0, y: 3, width: 3, height: 2 });
    for (let dx = 0; dx < 3; dx++) for (let dy = 0; dy < 2; dy++) blocked.push([x0 + dx, 3 + dy]);
    servicePoints.push({ x: x0 + 1, y: 5 });
  }
  // A conveyor across the floor at y = 8 with gaps near both ends and in the middle.
  const gaps = new Set([3, Math.floor(width / 2), width - 4]);
  for (let x = 2; x < width - 2; x++) if (!gaps.has(x)) blocked.push([x, 8]);
  return {
    width,
    height,
    blocked,
    servicePoints,
    machineBlocks,
    aisle: { y: height - 3, from: 2, to: width - 3 },
  };
}

/** The factory model as a definition (workers load it from this module by its name). */
export const factory = defineModel<FactoryParams, Factory>((sim, params) => new Factory(sim, params), {
  name: 'factory',
  module: import.meta.url,
});
