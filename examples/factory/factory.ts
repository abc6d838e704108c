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
 *   available technician (shortest A* path); the technician walks there along the path, repairs
 *   (Normal(45, 8) min, resampled when ≤ 0), then takes the next queued job or walks back to the
 *   post (technicians are posted along the bottom aisle), and can be dispatched again from wherever
 *   it is on the way.
 * - With `record: true` (the "physical plant"), sensors read vibration and temperature of every
 *   machine at their own rates, and machine state changes are logged; all go to `telemetry`.
 */
import { AgentModel, type GridPoint, GridSpace } from '@twinkit/abm';
import { defineModel, type PhaseRun, ResumableGroup, type Simulation } from '@twinkit/core';
import { attachSdModel, type SdCoupling, type SdCouplingState, SdModel } from '@twinkit/sd';
import { invalidArgument } from '../support/invalid-argument';
import { floorLayout, technicianPosts } from './floor';
import { Machine } from './machine';
import { type FactoryParams, meanProcessingTime, processingTimeOf, validateParams } from './params';
import { type SensorKind, temperatureOf, vibrationOf } from './sensors';
import { keptTechnicians, Technician } from './technician';

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
  /** Planned maintenances carried out (started). */
  maintenances: number;
  /** Cost of the unplanned failures beyond their downtime: failures × `failureCost`. */
  failureCost: number;
  /** `laborCost + downtimeCost + failureCost`. */
  totalCost: number;
}

/**
 * The factory's state as plain data, saved by the definition's snapshot hooks: a fork of the twin
 * is rebuilt from it (`fork()` uses the hooks) instead of replaying the whole history. Every
 * process is saved by the factory's {@link ResumableGroup} in its phase with the due time of its
 * pending wait (the arrivals, the sensors, each machine and technician), the buffers by their
 * `saveState()`.
 */
export type FactorySnapshot = ReturnType<Factory['saveState']>;

interface KpiTotals {
  completed: number;
  failures: number;
  maintenances: number;
  down: number;
  busy: number;
  processed: number[];
  techBusy: number;
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
  /** Every process of the factory, saved and restarted in calendar order by the snapshot hooks. */
  readonly processes: ResumableGroup;
  arrived = 0;
  completed = 0;
  /** Orders of the maintenance plan carried out. */
  planDone = 0;
  /** Where failures come from now (see {@link FactoryParams.failures}). */
  failureSource: 'health' | 'reported';
  private sd!: SdCoupling;
  private kpiStart = 0;
  private kpiBase: KpiTotals = {
    completed: 0,
    failures: 0,
    maintenances: 0,
    down: 0,
    busy: 0,
    processed: [],
    techBusy: 0,
  };

  /**
   * Builds the factory in `sim`: new (health from `params.initialHealth`, technicians at their
   * posts) or, with `saved`, as it was when {@link Factory.saveState} returned that state.
   */
  constructor(
    sim: Simulation,
    readonly params: FactoryParams,
    saved?: FactorySnapshot,
  ) {
    super(sim, { rngStream: 'floor' });
    validateParams(params);
    if (saved !== undefined && saved.machines?.length !== params.machines) {
      throw invalidArgument(
        'factory.restore(snapshot)',
        `the saved factory must have the parameters' ${params.machines} machines`,
        saved.machines?.length,
        'Restore a snapshot of the same line (only the number of technicians may change).',
      );
    }
    const crew = saved === undefined ? undefined : keptTechnicians(saved.technicians, params.technicians);
    this.failureSource = saved?.failureSource ?? params.failures ?? 'health';
    this.processes = new ResumableGroup(sim, saved?.processes);
    const layout = floorLayout(params.machines);
    this.floor = this.addSpace(
      new GridSpace<Technician>({ width: layout.width, height: layout.height, occupancy: 'multiple' }),
    );
    for (const [x, y] of layout.blocked) this.floor.setWalkable(x, y, false);
    this.posts = technicianPosts(layout, params.technicians);
    // The processes join the group in this order (arrivals, machines, technicians, sensors), which
    // is the order they start in; a restored group starts them in the order of their pending waits.
    this.buildArrivals();
    for (let i = 0; i < params.machines; i++) {
      const point = layout.servicePoints[i]!;
      this.machines.push(new Machine(this, i, point, processingTimeOf(params, i), saved?.machines[i]));
    }
    this.buildHealth(saved?.sd);
    for (let i = 0; i < params.technicians; i++) {
      const tech = new Technician(this);
      this.technicians.push(tech);
      tech.post = this.posts[i]!;
      const state = crew?.[i];
      if (state === undefined) this.floor.place(tech, tech.post.x, tech.post.y);
      else {
        this.floor.placeInCell(tech, state.cell);
        tech.load(state);
      }
      // With another crew size the posts are spread anew: a technician on its way back turns
      // towards its new post from the cell it has reached (its step in progress starts again).
      const turn =
        state !== undefined && saved!.technicians.length !== params.technicians && state.phase === 'return';
      if (turn) tech.setRoute(tech.post, 'its post');
      tech.start(`technician${i + 1}`, state, turn);
    }
    if (params.record) this.buildSensors();
    if (saved !== undefined) {
      this.load(saved);
      // Jobs wait only while every technician is busy; a larger crew takes them up at once.
      while (this.queue.length > 0 && this.technicians.some((t) => t.available)) {
        this.dispatch(this.queue.shift()!);
      }
    }
    this.processes.start();
    if (params.maintenancePlan !== undefined && params.maintenancePlan.length > this.planDone)
      this.buildMaintenancePlan(params.maintenancePlan);
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
    sim.onInput('reset-kpis', () => this.resetKpis());
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

  /**
   * Returns the factory's state as plain data, for the definition's snapshot hooks (which copy it:
   * the arrays are not copied here).
   */
  saveState() {
    const { arrived, completed, failureSource, kpiStart, kpiBase, planDone, telemetry, trace, walks } = this;
    return {
      sd: this.sd.saveState(),
      processes: this.processes.saveState(),
      ...{ arrived, completed, failureSource, kpiStart, kpiBase, planDone, telemetry, trace, walks },
      queue: this.queue.map((m) => m.index),
      machines: this.machines.map((m) => m.saveState()),
      technicians: this.technicians.map((t) => t.saveState()),
    };
  }

  /** Takes over the factory's own part of a saved state (a copy, from the snapshot hooks). */
  private load(saved: FactorySnapshot): void {
    const { arrived, completed, kpiStart, kpiBase, planDone, telemetry, trace, walks } = saved;
    Object.assign(this, { arrived, completed, kpiStart, kpiBase, planDone, telemetry, trace, walks });
    this.queue.push(...saved.queue.map((i) => this.machines[i]!));
  }

  private buildHealth(saved: SdCouplingState | undefined): void {
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
    this.sd = attachSdModel(this.sim, sd, {
      prefix: 'line1.sd',
      ...(saved === undefined ? {} : { state: saved }),
    });
    for (const m of this.machines) {
      const id = `machine${m.index + 1}`;
      for (const name of ['health', 'wear_rate']) {
        const target = `line1.sd.${id}_${name}`;
        this.sim.state.define(`line1.${id}.${name}`, {
          get: () => this.sim.state.get(target),
          set: (v) => this.sim.state.set(target, v),
        });
      }
      this.sd.onCrossing(`${id} health`, p.failureThreshold, 'down', () => {
        if (this.failureSource === 'health') m.fail();
      });
    }
  }

  /** Carries out the maintenance plan's orders not yet done, in time order. */
  private buildMaintenancePlan(plan: readonly { machine: number; at: number }[]): void {
    const { sim } = this;
    const orders = [...plan].sort((a, b) => a.at - b.at);
    const first = orders[this.planDone]!;
    if (first.at < sim.now) {
      throw invalidArgument(
        'factory params.maintenancePlan',
        `an order not yet carried out must not be in the past of the factory (now ${sim.now} min)`,
        first,
        'Plan maintenance from the present on: at >= the snapshot time.',
      );
    }
    const factory = this;
    sim.process(function* () {
      while (factory.planDone < orders.length) {
        const order = orders[factory.planDone]!;
        yield sim.timeout(order.at - sim.now);
        factory.planDone++;
        // A machine down already (failed) is not maintained: its repair restores it anyway.
        factory.machines[order.machine]!.maintain();
      }
    });
  }

  private buildArrivals(): void {
    const draw = this.sim.rng('arrivals');
    const arrive = (run: PhaseRun<'next'>) => {
      if (run.afterWait) this.machines[0]!.enqueue(++this.arrived);
      return run.after(draw.exponential(this.params.arrivalMean), 'next');
    };
    this.processes.add('arrivals', { next: arrive }, 'next');
  }

  /** Adds the sensors' processes (two per machine), each reading at its own rate. */
  private buildSensors(): void {
    const p = this.params;
    const sensors = {
      vibration: { interval: p.vibrationInterval, noise: p.vibrationNoise, of: vibrationOf },
      temperature: { interval: p.temperatureInterval, noise: p.temperatureNoise, of: temperatureOf },
    };
    for (const m of this.machines) {
      for (const kind of ['vibration', 'temperature'] as const) {
        const sensor = sensors[kind];
        const name = `sensors/machine${m.index + 1}/${kind}`;
        const noise = this.sim.rng(name);
        const read = (run: PhaseRun<'read'>) => {
          // A stopped machine does not vibrate or warm as in operation: the reading is flagged, not dropped.
          if (run.afterWait) {
            const value = sensor.of(m.health) + noise.normal(0, sensor.noise);
            this.reading(m.index, kind, value, m.down ? 'uncertain' : 'good');
          }
          return run.after(sensor.interval, 'read');
        };
        this.processes.add(name, { read }, 'read');
      }
    }
  }

  /** Passes a finished part to the next machine, or counts it out of the line. */
  pass(from: Machine, part: number): void {
    const next = this.machines[from.index + 1];
    if (next === undefined) this.completed++;
    else next.enqueue(part);
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

  private rawTotals(): KpiTotals {
    let down = 0;
    let busy = 0;
    let failures = 0;
    let maintenances = 0;
    for (const m of this.machines) {
      const t = m.totals();
      down += t.down;
      busy += t.busy;
      failures += m.failures;
      maintenances += m.maintenances;
    }
    return {
      completed: this.completed,
      failures,
      maintenances,
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
    const failures = now.failures - base.failures;
    const failureCost = failures * this.params.failureCost;
    return {
      throughput: ((now.completed - base.completed) / span) * 60,
      utilization: (now.busy - base.busy) / (n * span),
      downtimeHours: down / n / 60,
      availability: uptime / (n * span),
      failures,
      uptimeHours: uptime / 60,
      oee,
      technicianUtilization: (now.techBusy - base.techBusy) / (this.technicians.length * span),
      laborCost,
      downtimeCost,
      maintenances: now.maintenances - base.maintenances,
      failureCost,
      totalCost: laborCost + downtimeCost + failureCost,
    };
  }
}

/**
 * The factory model as a definition (workers load it from this module by its name). Its snapshot
 * hooks save the factory as plain data ({@link FactorySnapshot}), so `fork()` rebuilds a fork from
 * that state at the fork's time instead of replaying the history (`fork({ mechanism: 'replay' })`
 * still replays; both give the same future, the buffers' built-in DES statistics included).
 */
export const factory = defineModel((sim, params: FactoryParams) => new Factory(sim, params), {
  name: 'factory',
  module: import.meta.url,
  snapshot: {
    saveState: (model) => model.saveState(),
    restoreState: (sim, params, saved: FactorySnapshot) => new Factory(sim, params, saved),
  },
});
