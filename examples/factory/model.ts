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
  type Process,
  type RandomStream,
  type Simulation,
  TwinkitError,
} from '@twinkit/core';
import { type DesStatisticsState, Store, type StoreGet } from '@twinkit/des';
import { attach, type SdCoupling, type SdCouplingState, SdModel } from '@twinkit/sd';
import { invalidArgument } from '../support/invalid-argument';
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
  /** Planned maintenances carried out (started). */
  maintenances: number;
  /** Cost of the unplanned failures beyond their downtime: failures × `failureCost`. */
  failureCost: number;
  /** `laborCost + downtimeCost + failureCost`. */
  totalCost: number;
}

/** Why a machine stopped: an unplanned failure, or a planned maintenance. */
export type StopCause = 'failure' | 'maintenance';

/** One stop of a machine: when it stopped, when a technician started on it, when it ran again. */
export interface StopRecord {
  cause: StopCause;
  at: number;
  /** When the repair or maintenance began (null while waiting for a technician). */
  serviceAt: number | null;
  /** When the machine ran again (null while down). */
  end: number | null;
}

/** Where a machine's process stands (what it waits for next). */
export type MachinePhase =
  /** Waiting for a part from its buffer. */
  | 'wait'
  /** Holding a part it has not started (it is down, or about to start). */
  | 'held'
  /** Processing a part until `endsAt`. */
  | 'processing'
  /** Interrupted by a failure, `remaining` minutes of work left, waiting for the repair. */
  | 'paused';

/** A machine of the line: its buffer, its health stock and its counters. */
export class Machine {
  /** The machine's input buffer (FIFO, unbounded): a `Store` of part numbers. */
  readonly buffer: Store<number>;
  /**
   * The machine's get request on its buffer while it waits for a part. Once granted (`triggered`)
   * it holds the part taken until the machine's process resumes at the same instant.
   */
  taking: StoreGet<number> | null = null;
  down = false;
  busy = false;
  /** Part held (being processed or waiting for the repair), or -1. */
  holding = -1;
  /** What the machine's process waits for. */
  phase: MachinePhase = 'wait';
  /** When the part being processed is done (phase `processing`). */
  endsAt = Number.NaN;
  /** Minutes of work left on the held part (phase `paused`). */
  remaining = Number.NaN;
  /** @internal order in which the pending timeout was scheduled (see {@link Factory.stamp}) */
  waitSeq = 0;
  failures = 0;
  /** Times of this machine's failures (failures are rare: a few per month). */
  readonly failureTimes: number[] = [];
  /** Planned maintenances started. */
  maintenances = 0;
  /** Why the machine is down (null while it runs). */
  stopCause: StopCause | null = null;
  /** Every stop, failures and maintenances (rare: kept always, for the machine-state chart). */
  readonly stops: StopRecord[] = [];
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
  private restoredStats: DesStatisticsState | null = null;
  /** When a restored machine's pending get was first made (NaN otherwise). */
  private waitingSince = Number.NaN;

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
    this.failures++;
    this.failureTimes.push(this.factory.sim.now);
    this.factory.log('fail', this.index);
    this.factory.reading(this.index, 'state', 0, 'good');
    this.stop('failure');
  }

  /**
   * Stops the machine now for a planned maintenance (a part in process waits, as after a failure);
   * returns false, doing nothing, when the machine is down already. (The plant's controller does not
   * report planned stops: only what-if runs plan maintenance.)
   */
  maintain(): boolean {
    if (this.down) return false;
    this.maintenances++;
    this.stop('maintenance');
    return true;
  }

  private stop(cause: StopCause): void {
    const f = this.factory;
    this.down = true;
    this.stopCause = cause;
    this.stops.push({ cause, at: f.sim.now, serviceAt: null, end: null });
    this.downSince = f.sim.now;
    this.repaired = f.sim.event<void>();
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
    this.stopCause = null;
    this.stops[this.stops.length - 1]!.end = f.sim.now;
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

  /** Starts the machine's process from its current phase (at the start, or after a restore). */
  start(): void {
    const m = this;
    const { sim } = this.factory;
    const factory = this.factory;
    const draw = sim.rng(`processing/machine${this.index + 1}`);
    this.process = sim.process(function* () {
      // The delay of a timeout about to be taken, when it was just drawn: then the timeout's time is
      // now + delay, the very sum stored in `endsAt`. A process resumed from a snapshot waits
      // `endsAt − now` instead, which lands on `endsAt` exactly whenever the wait is at most `now`
      // (Sterbenz), so restored and original processes fire at the same instants.
      let delay = Number.NaN;
      if (m.phase !== 'wait' && m.restoredStats !== null) m.finishRestore();
      for (;;) {
        switch (m.phase) {
          case 'wait': {
            m.taking = m.buffer.get();
            if (m.restoredStats !== null) m.finishRestore();
            const part: number = yield m.taking;
            m.taking = null;
            m.holding = part;
            m.phase = 'held';
            break;
          }
          case 'held': {
            while (m.down) yield m.repaired!;
            const minutes = sample(draw, m.processing);
            factory.log('start', m.index);
            m.setBusy(true);
            m.endsAt = sim.now + minutes;
            delay = minutes;
            m.phase = 'processing';
            break;
          }
          case 'processing':
            try {
              const wait = Number.isNaN(delay) ? m.endsAt - sim.now : delay;
              delay = Number.NaN;
              m.waitSeq = factory.stamp();
              yield sim.timeout(wait);
            } catch (error) {
              if (!(error instanceof Interrupt)) throw error;
              m.remaining = m.endsAt - sim.now;
              m.endsAt = Number.NaN;
              factory.log('pause', m.index);
              m.phase = 'paused';
              break;
            }
            m.setBusy(false);
            m.processed++;
            factory.log('finish', m.index);
            factory.pass(m, m.holding);
            m.holding = -1;
            m.endsAt = Number.NaN;
            m.phase = 'wait';
            break;
          case 'paused':
            while (m.down) yield m.repaired!;
            factory.log('resume', m.index);
            m.setBusy(true);
            m.endsAt = sim.now + m.remaining;
            delay = m.remaining;
            m.remaining = Number.NaN;
            m.phase = 'processing';
            break;
        }
      }
    }) as Process<never>;
  }

  /**
   * Ends a restore, once the process has made its get again (if it waits for a part): dates that get
   * back to when the saved one was made, and puts back the buffer's saved statistics.
   */
  private finishRestore(): void {
    const get = this.taking;
    if (get !== null && !get.triggered && !Number.isNaN(this.waitingSince)) get.resumeFrom(this.waitingSince);
    this.waitingSince = Number.NaN;
    this.buffer.stats.restoreState(this.restoredStats!);
    this.restoredStats = null;
  }

  /** Returns the machine's state as plain data (see {@link FactorySnapshot}). */
  save(): MachineSnapshot {
    // A get granted at this instant whose process has not resumed yet: the part is already out of
    // the buffer, so the restored machine starts holding it.
    const taken = this.taking?.triggered === true;
    return {
      buffer: this.buffer.items,
      bufferStats: this.buffer.stats.saveState(),
      waitingSince: !taken && this.taking !== null ? this.taking.requestedAt : null,
      phase: taken ? 'held' : this.phase,
      holding: taken ? (this.taking!.value as number) : this.holding,
      endsAt: orNull(this.endsAt),
      remaining: orNull(this.remaining),
      waitSeq: this.waitSeq,
      down: this.down,
      busy: this.busy,
      failures: this.failures,
      failureTimes: [...this.failureTimes],
      maintenances: this.maintenances,
      stopCause: this.stopCause,
      stops: this.stops.map((s) => ({ ...s })),
      processed: this.processed,
      downSince: this.downSince,
      busySince: this.busySince,
      wearRate: this.wearRate,
      downTotal: this.downTotal,
      busyTotal: this.busyTotal,
    };
  }

  /** Takes over a state returned by {@link Machine.save} (before the processes start). */
  load(saved: MachineSnapshot): void {
    for (const part of saved.buffer) this.buffer.put(part);
    // Restored when the process has made its get again (see start): then the puts above and that
    // get count as what they are, the saved requests, not as new ones.
    this.restoredStats = saved.bufferStats;
    this.waitingSince = saved.waitingSince ?? Number.NaN;
    Object.assign(this, {
      phase: saved.phase,
      holding: saved.holding,
      endsAt: saved.endsAt ?? Number.NaN,
      remaining: saved.remaining ?? Number.NaN,
      waitSeq: saved.waitSeq,
      down: saved.down,
      busy: saved.busy,
      failures: saved.failures,
      maintenances: saved.maintenances,
      stopCause: saved.stopCause,
      processed: saved.processed,
      downSince: saved.downSince,
      busySince: saved.busySince,
      wearRate: saved.wearRate,
      downTotal: saved.downTotal,
      busyTotal: saved.busyTotal,
    });
    this.failureTimes.push(...saved.failureTimes);
    this.stops.push(...saved.stops.map((s) => ({ ...s })));
    if (this.down) this.repaired = this.factory.sim.event<void>();
  }
}

/** Where a technician's process stands. */
export type TechnicianPhase =
  /** Waiting to be dispatched. */
  | 'wait'
  /** Dispatched (`pending` set), about to set off. */
  | 'dispatched'
  /** Walking `route` to the job. */
  | 'travel'
  /** Repairing `job` until `repairEndsAt`. */
  | 'repair'
  /** Walking `route` back to the post; stops at the next cell when dispatched. */
  | 'return';

/** A maintenance technician. */
export class Technician extends Agent<Factory> {
  state: 'idle' | 'assigned' | 'travel' | 'repair' | 'returning' = 'idle';
  /** What the technician's process waits for. */
  phase: TechnicianPhase = 'wait';
  /** Where the technician waits for work. */
  post: GridPoint = { x: 0, y: 0 };
  /** The machine being walked to or repaired (while travelling or repairing). */
  job: Machine | null = null;
  /** The cells of the current walk, and the index of the cell reached. */
  route: number[] = [];
  routeIndex = 0;
  /** When the technician reaches the next cell of the route (NaN before the step is taken). */
  stepAt = Number.NaN;
  /** When the ongoing repair ends. */
  repairEndsAt = Number.NaN;
  /** @internal order in which the pending timeout was scheduled (see {@link Factory.stamp}) */
  waitSeq = 0;
  repairs = 0;
  /** @internal the job given by the dispatcher, not yet taken up */
  pending: Machine | null = null;
  private wake: Event<void> | null = null;
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
    wake?.succeed();
  }

  /** Returns the minutes spent on jobs so far (the ongoing one included). */
  busyMinutes(): number {
    const busy = this.state === 'assigned' || this.state === 'travel' || this.state === 'repair';
    return this.busyTotal + (busy ? this.model.sim.now - this.busySince : 0);
  }

  /** Starts the technician's process from its current phase (at the start, or after a restore). */
  start(): void {
    const tech = this;
    const factory = this.model;
    const { sim, floor, params } = factory;
    const repairs = sim.rng('repairs');
    const services = sim.rng('maintenance');
    // Walks the route from the cell reached, a cell at a time (diagonal steps take √2 as long);
    // returns early when `stop()` says so between cells.
    // (Delays and due times as in Machine.start: a fresh wait uses the drawn delay, a restored one
    // `due − now`.)
    function* walk(stop: () => boolean) {
      while (tech.routeIndex < tech.route.length - 1 && !stop()) {
        const from = tech.route[tech.routeIndex]!;
        const to = tech.route[tech.routeIndex + 1]!;
        let wait = tech.stepAt - sim.now;
        if (Number.isNaN(tech.stepAt)) {
          const diagonal =
            floor.xOfCell(from) !== floor.xOfCell(to) && floor.yOfCell(from) !== floor.yOfCell(to);
          wait = ((diagonal ? Math.SQRT2 : 1) * floor.costOf(to)) / params.walkSpeed;
          tech.stepAt = sim.now + wait;
        }
        tech.waitSeq = factory.stamp();
        yield sim.timeout(wait);
        tech.stepAt = Number.NaN;
        floor.moveToCell(tech, to);
        tech.routeIndex++;
      }
    }
    const setRoute = (to: GridPoint, what: string) => {
      const path = floor.findPath(floor.positionOf(tech), to, { diagonal: true });
      if (path === null) {
        throw new TwinkitError(
          `Technician#${tech.id}: ${what} cannot be reached from its cell; the floor layout must connect every service point and post to the aisle.`,
          { code: 'INVALID_STATE' },
        );
      }
      tech.route = [...path.cells];
      tech.routeIndex = 0;
      tech.stepAt = Number.NaN;
    };
    this.process(function* () {
      for (;;) {
        switch (tech.phase) {
          case 'wait':
            if (tech.pending === null) {
              tech.state = 'idle';
              tech.wake = sim.event<void>();
              yield tech.wake;
            }
            tech.phase = 'dispatched';
            break;
          case 'dispatched': {
            const machine = tech.pending!;
            tech.pending = null;
            tech.job = machine;
            tech.state = 'travel';
            setRoute(machine.servicePoint, `machine ${machine.index + 1}`);
            factory.walk(tech, 'to-job', tech.route);
            tech.phase = 'travel';
            break;
          }
          case 'travel':
            yield* walk(() => false);
            tech.state = 'repair';
            tech.phase = 'repair';
            break;
          case 'repair': {
            const machine = tech.job!;
            let wait = tech.repairEndsAt - sim.now;
            if (Number.isNaN(tech.repairEndsAt)) {
              factory.log('repair', machine.index);
              machine.stops[machine.stops.length - 1]!.serviceAt = sim.now;
              // A planned maintenance has its own duration and its own stream, so that planning one
              // leaves the repair times of the failures (common random numbers) as they were.
              const [rng, mean, sd] =
                machine.stopCause === 'maintenance'
                  ? [services, params.maintenanceMean, params.maintenanceSd]
                  : [repairs, params.repairMean, params.repairSd];
              let minutes = rng.normal(mean, sd);
              // Truncation at zero by resampling: the repair time is Normal(45, 8) given that it is
              // positive. Clamping would put the whole tail mass on a zero-length repair instead.
              while (minutes <= 0) minutes = rng.normal(mean, sd);
              tech.repairEndsAt = sim.now + minutes;
              wait = minutes;
            }
            tech.waitSeq = factory.stamp();
            yield sim.timeout(wait);
            tech.repairEndsAt = Number.NaN;
            machine.completeRepair();
            tech.job = null;
            tech.repairs++;
            tech.busyTotal += sim.now - tech.busySince;
            const next = factory.nextQueuedJob();
            if (next !== undefined) {
              tech.busySince = sim.now;
              tech.pending = next;
              tech.phase = 'dispatched';
              break;
            }
            // Walk back to the post a cell at a time, ready to be dispatched from wherever it is.
            tech.state = 'returning';
            setRoute(tech.post, 'its post');
            tech.phase = 'return';
            break;
          }
          case 'return':
            yield* walk(() => tech.pending !== null);
            factory.walk(tech, 'return', tech.route.slice(0, tech.routeIndex + 1));
            tech.phase = tech.pending === null ? 'wait' : 'dispatched';
            break;
        }
      }
    });
  }

  /** Returns the technician's state as plain data (see {@link FactorySnapshot}). */
  save(): TechnicianSnapshot {
    return {
      cell: this.model.floor.cellOf(this),
      post: { ...this.post },
      state: this.state,
      phase: this.phase,
      job: this.job?.index ?? null,
      pending: this.pending?.index ?? null,
      route: [...this.route],
      routeIndex: this.routeIndex,
      stepAt: orNull(this.stepAt),
      repairEndsAt: orNull(this.repairEndsAt),
      waitSeq: this.waitSeq,
      repairs: this.repairs,
      busySince: this.busySince,
      busyTotal: this.busyTotal,
    };
  }

  /** Takes over a state returned by {@link Technician.save} (before the processes start). */
  load(saved: TechnicianSnapshot): void {
    const machines = this.model.machines;
    Object.assign(this, {
      state: saved.state,
      phase: saved.phase,
      job: saved.job === null ? null : machines[saved.job]!,
      pending: saved.pending === null ? null : machines[saved.pending]!,
      route: [...saved.route],
      routeIndex: saved.routeIndex,
      stepAt: saved.stepAt ?? Number.NaN,
      repairEndsAt: saved.repairEndsAt ?? Number.NaN,
      waitSeq: saved.waitSeq,
      repairs: saved.repairs,
      busySince: saved.busySince,
      busyTotal: saved.busyTotal,
    });
  }
}

/** A machine's state in a {@link FactorySnapshot}. */
export interface MachineSnapshot {
  buffer: number[];
  bufferStats: DesStatisticsState;
  /** When the machine's pending get on its buffer was made (null when it has none). */
  waitingSince: number | null;
  phase: MachinePhase;
  holding: number;
  /** Null when not processing (the model's NaN; JSON has no NaN). */
  endsAt: number | null;
  /** Null when not paused. */
  remaining: number | null;
  waitSeq: number;
  down: boolean;
  busy: boolean;
  failures: number;
  failureTimes: number[];
  maintenances: number;
  stopCause: StopCause | null;
  stops: StopRecord[];
  processed: number;
  downSince: number;
  busySince: number;
  wearRate: number;
  downTotal: number;
  busyTotal: number;
}

/** A technician's state in a {@link FactorySnapshot}. */
export interface TechnicianSnapshot {
  cell: number;
  post: GridPoint;
  state: Technician['state'];
  phase: TechnicianPhase;
  job: number | null;
  pending: number | null;
  route: number[];
  routeIndex: number;
  /** Null before the next step is taken. */
  stepAt: number | null;
  /** Null when not repairing. */
  repairEndsAt: number | null;
  waitSeq: number;
  repairs: number;
  busySince: number;
  busyTotal: number;
}

/**
 * The factory's state as plain data, saved by the definition's snapshot hooks: a fork of the twin
 * is rebuilt from it (`fork()` uses the hooks) instead of replaying the whole history. Every
 * process is at a point it can resume from: the next arrival's time, each machine's phase and due
 * time, each technician's phase, route, next step and repair end, the sensors' next readings.
 */
export interface FactorySnapshot {
  sd: SdCouplingState;
  arrived: number;
  completed: number;
  nextArrivalAt: number | null;
  /** The scheduling counter and the stamp of the arrival's pending timeout (see {@link Factory.stamp}). */
  seq: number;
  arrivalSeq: number;
  failureSource: 'health' | 'reported';
  queue: number[];
  machines: MachineSnapshot[];
  technicians: TechnicianSnapshot[];
  kpiStart: number;
  kpiBase: KpiTotals;
  /** Next reading of each machine's vibration and temperature sensor (plant runs only). */
  sensors: SensorDue[];
  telemetry: PlantReading[];
  trace: TraceEntry[];
  walks: WalkRecord[];
  /** Orders of `params.maintenancePlan` carried out (in time order). */
  planDone: number;
}

/** When a machine's sensors read next, and when those readings were scheduled (see {@link Factory.stamp}). */
export interface SensorDue {
  vibration: { at: number; seq: number };
  temperature: { at: number; seq: number };
}

/** Starts one process of the factory; `seq` orders the starts of a restored factory. */
interface Starter {
  seq: number;
  start: () => void;
}

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
  arrived = 0;
  completed = 0;
  /** Orders of the maintenance plan carried out. */
  planDone = 0;
  /** When the next part arrives. */
  nextArrivalAt = Number.NaN;
  /** Where failures come from now (see {@link FactoryParams.failures}). */
  failureSource: 'health' | 'reported';
  private sd!: SdCoupling;
  private readonly sensorDue: SensorDue[] = [];
  private seq = 0;
  /** @internal order in which the arrival's pending timeout was scheduled */
  arrivalSeq = 0;
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
   * posts) or, with `saved`, as it was when {@link Factory.save} returned that state.
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
    const layout = floorLayout(params.machines);
    this.floor = this.addSpace(
      new GridSpace<Technician>({ width: layout.width, height: layout.height, occupancy: 'multiple' }),
    );
    for (const [x, y] of layout.blocked) this.floor.setWalkable(x, y, false);
    this.posts = technicianPosts(layout, params.technicians);
    for (let i = 0; i < params.machines; i++) {
      this.machines.push(new Machine(this, i, layout.servicePoints[i]!, processingTimeOf(params, i)));
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
        // With another crew size the posts are spread anew: a technician on its way back turns
        // towards its new post from the cell it has reached (its step in progress starts again).
        if (saved!.technicians.length !== params.technicians && tech.phase === 'return') {
          tech.route = [
            ...this.floor.findPath(this.floor.positionOf(tech), tech.post, { diagonal: true })!.cells,
          ];
          tech.routeIndex = 0;
          tech.stepAt = Number.NaN;
        }
      }
    }
    if (saved !== undefined) {
      this.load(saved);
      // Jobs wait only while every technician is busy; a larger crew takes them up at once.
      while (this.queue.length > 0 && this.technicians.some((t) => t.available)) {
        this.dispatch(this.queue.shift()!);
      }
    }
    // Start every process. A restored factory starts them in the order in which their pending
    // timeouts were scheduled (a stable sort keeps the build order for the others).
    const starters: Starter[] = [
      { seq: this.arrivalSeq, start: () => this.buildArrivals() },
      ...this.machines.map((m) => ({ seq: m.waitSeq, start: () => m.start() })),
      ...this.technicians.map((t) => ({ seq: t.waitSeq, start: () => t.start() })),
      ...(params.record ? this.sensorStarters() : []),
    ];
    if (saved !== undefined) starters.sort((a, b) => a.seq - b.seq);
    for (const s of starters) s.start();
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

  /** Returns the factory's state as plain data, for the definition's snapshot hooks. */
  save(): FactorySnapshot {
    return {
      sd: this.sd.save(),
      arrived: this.arrived,
      completed: this.completed,
      nextArrivalAt: orNull(this.nextArrivalAt),
      seq: this.seq,
      arrivalSeq: this.arrivalSeq,
      failureSource: this.failureSource,
      queue: this.queue.map((m) => m.index),
      machines: this.machines.map((m) => m.save()),
      technicians: this.technicians.map((t) => t.save()),
      kpiStart: this.kpiStart,
      kpiBase: { ...this.kpiBase, processed: [...this.kpiBase.processed] },
      sensors: this.sensorDue.map((s) => ({
        vibration: { ...s.vibration },
        temperature: { ...s.temperature },
      })),
      telemetry: this.telemetry.map((r) => ({ ...r })),
      trace: this.trace.map((e) => ({ ...e })),
      walks: this.walks.map((w) => ({ ...w, cells: w.cells.map((c) => [...c] as [number, number]) })),
      planDone: this.planDone,
    };
  }

  private load(saved: FactorySnapshot): void {
    this.arrived = saved.arrived;
    this.completed = saved.completed;
    this.nextArrivalAt = saved.nextArrivalAt ?? Number.NaN;
    this.seq = saved.seq;
    this.arrivalSeq = saved.arrivalSeq;
    this.queue.push(...saved.queue.map((i) => this.machines[i]!));
    saved.machines.forEach((m, i) => {
      this.machines[i]!.load(m);
    });
    this.kpiStart = saved.kpiStart;
    this.kpiBase = { ...saved.kpiBase, processed: [...saved.kpiBase.processed] };
    this.sensorDue.push(
      ...saved.sensors.map((s) => ({ vibration: { ...s.vibration }, temperature: { ...s.temperature } })),
    );
    this.telemetry.push(...saved.telemetry);
    this.trace.push(...saved.trace);
    this.walks.push(...saved.walks);
    this.planDone = saved.planDone;
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
    this.sd = attach(this.sim, sd, { prefix: 'line1.sd', ...(saved === undefined ? {} : { state: saved }) });
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
    const { sim, params } = this;
    const factory = this;
    const arrivals = sim.rng('arrivals');
    sim.process(function* () {
      for (;;) {
        // (Delays and due times as in Machine.start.)
        let wait = factory.nextArrivalAt - sim.now;
        if (Number.isNaN(factory.nextArrivalAt)) {
          wait = arrivals.exponential(params.arrivalMean);
          factory.nextArrivalAt = sim.now + wait;
        }
        factory.arrivalSeq = factory.stamp();
        yield sim.timeout(wait);
        factory.nextArrivalAt = Number.NaN;
        factory.arrived++;
        factory.machines[0]!.enqueue(factory.arrived);
      }
    });
  }

  /** Passes a finished part to the next machine, or counts it out of the line. */
  pass(from: Machine, part: number): void {
    const next = this.machines[from.index + 1];
    if (next === undefined) this.completed++;
    else next.enqueue(part);
  }

  /** Returns the starters of the sensors' processes (two per machine), with their schedule stamps. */
  private sensorStarters(): Starter[] {
    const { sim, params } = this;
    const factory = this;
    const sensors = {
      vibration: { interval: params.vibrationInterval, noise: params.vibrationNoise, of: vibrationOf },
      temperature: {
        interval: params.temperatureInterval,
        noise: params.temperatureNoise,
        of: temperatureOf,
      },
    };
    const starters: Starter[] = [];
    for (const m of this.machines) {
      // (Delays and due times as in Machine.start.)
      const restored = this.sensorDue[m.index];
      const due = restored ?? {
        vibration: { at: sim.now + sensors.vibration.interval, seq: 0 },
        temperature: { at: sim.now + sensors.temperature.interval, seq: 0 },
      };
      this.sensorDue[m.index] = due;
      for (const kind of ['vibration', 'temperature'] as const) {
        const sensor = sensors[kind];
        const next = due[kind];
        const noise = sim.rng(`sensors/machine${m.index + 1}/${kind}`);
        starters.push({
          seq: next.seq,
          start: () =>
            sim.process(function* () {
              let wait = restored === undefined ? sensor.interval : next.at - sim.now;
              for (;;) {
                next.seq = factory.stamp();
                yield sim.timeout(wait);
                wait = sensor.interval;
                next.at = sim.now + wait;
                // A stopped machine does not vibrate or warm as in operation: the reading is
                // flagged, not dropped.
                factory.reading(
                  m.index,
                  kind,
                  sensor.of(m.health) + noise.normal(0, sensor.noise),
                  m.down ? 'uncertain' : 'good',
                );
              }
            }),
        });
      }
    }
    return starters;
  }

  /**
   * Returns a number that grows with every call: processes stamp each timeout they schedule, so
   * that a restored factory can schedule its pending timeouts in the original order. Timeouts due
   * at the same instant (two sensors reading at :15) then fire in the same order as in the
   * original, which the calendar decides by insertion order.
   */
  stamp(): number {
    return ++this.seq;
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
 * Returns the saved technicians a factory restored with `count` technicians takes over: all of them
 * in order when the crew grows (the new ones start idle at their posts); when it shrinks, the busy
 * ones and then the first idle ones, in order. A crew smaller than the technicians busy right now
 * is refused.
 */
function keptTechnicians(saved: readonly TechnicianSnapshot[], count: number): TechnicianSnapshot[] {
  if (count >= saved.length) return [...saved];
  const isBusy = (t: TechnicianSnapshot) => t.phase !== 'wait' || t.pending !== null;
  const busy = saved.filter(isBusy).length;
  if (busy > count) {
    throw invalidArgument(
      'factory.restore(snapshot, { params })',
      `technicians must be at least the ${busy} busy at the snapshot, to shrink the crew from ${saved.length}`,
      count,
      'Compare smaller crews from a moment when fewer technicians are busy, or from the start.',
    );
  }
  let idleKept = count - busy;
  return saved.filter((t) => isBusy(t) || idleKept-- > 0);
}

/** NaN (no due time) as null, which JSON keeps. */
function orNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
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

/**
 * The factory model as a definition (workers load it from this module by its name). Its snapshot
 * hooks save the factory as plain data ({@link FactorySnapshot}), so `fork()` rebuilds a fork from
 * that state at the fork's time instead of replaying the history (`fork({ mechanism: 'replay' })`
 * still replays; both give the same future, the buffers' built-in DES statistics included: a get
 * pending at the snapshot is made again and dated back to when it was first made, `resumeFrom`).
 */
export const factory = defineModel((sim, params: FactoryParams) => new Factory(sim, params), {
  name: 'factory',
  module: import.meta.url,
  snapshot: {
    save: (model) => model.save(),
    restore: (sim, params, saved: FactorySnapshot) => new Factory(sim, params, saved),
  },
});
