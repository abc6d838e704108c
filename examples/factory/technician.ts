/**
 * A maintenance technician: an agent on the floor whose process, written once as phases (wait,
 * set off, walk to the job, repair, walk back), the factory's {@link ResumableGroup} saves and
 * restores.
 */
import { Agent, type GridPoint } from '@twinkit/abm';
import { type Event, type PhaseRun, type Phases, type ResumableProcess, TwinkitError } from '@twinkit/core';
import { invalidArgument } from '../support/invalid-argument';
import type { Factory } from './factory';
import type { Machine } from './machine';

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

/** A technician's state in a `FactorySnapshot` (see {@link Technician.saveState}). */
export type TechnicianSnapshot = ReturnType<Technician['saveState']>;

/** A maintenance technician. */
export class Technician extends Agent<Factory> {
  state: 'idle' | 'assigned' | 'travel' | 'repair' | 'returning' = 'idle';
  /** Where the technician waits for work. */
  post: GridPoint = { x: 0, y: 0 };
  /** The machine being walked to or repaired (while travelling or repairing). */
  job: Machine | null = null;
  /** The cells of the current walk, and the index of the cell reached. */
  route: number[] = [];
  routeIndex = 0;
  repairs = 0;
  /** @internal the job given by the dispatcher, not yet taken up */
  pending: Machine | null = null;
  private wake: Event<void> | null = null;
  private busySince = 0;
  private busyTotal = 0;
  private proc!: ResumableProcess<TechnicianPhase>;

  /** True when the dispatcher may give this technician a job. */
  get available(): boolean {
    return this.pending === null && (this.state === 'idle' || this.state === 'returning');
  }

  /** What the technician's process waits for. */
  get phase(): TechnicianPhase {
    return this.proc.phase;
  }

  /** When the ongoing repair ends (NaN unless phase `repair`). */
  get repairEndsAt(): number {
    return this.phase === 'repair' ? this.proc.due : Number.NaN;
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

  /**
   * Adds the technician's process to the factory's group: new, or in the phase of `saved` (with
   * `restartStep`, a walk back starts its step in progress again, towards a new post).
   */
  start(name: string, saved?: TechnicianSnapshot, restartStep = false): void {
    const process = saved === undefined ? null : { ...saved.process, ...(restartStep ? { due: null } : {}) };
    this.proc = this.model.processes.add(name, this.phases(), 'wait', process);
  }

  private phases(): Phases<TechnicianPhase> {
    const tech = this;
    const factory = this.model;
    const { sim, floor, params } = factory;
    const repairs = sim.rng('repairs');
    const services = sim.rng('maintenance');
    // A step of the walk: at the end of a step's wait the technician moves on a cell; then it takes
    // the next step (diagonal steps take √2 as long) unless the route is done or `stop` says so.
    const step = (run: PhaseRun<TechnicianPhase>, phase: TechnicianPhase, stop = false) => {
      if (run.afterWait) floor.moveToCell(tech, tech.route[++tech.routeIndex]!);
      if (tech.routeIndex >= tech.route.length - 1 || stop) return null;
      const from = tech.route[tech.routeIndex]!;
      const to = tech.route[tech.routeIndex + 1]!;
      const diagonal = floor.xOfCell(from) !== floor.xOfCell(to) && floor.yOfCell(from) !== floor.yOfCell(to);
      return run.after(((diagonal ? Math.SQRT2 : 1) * floor.costOf(to)) / params.walkSpeed, phase);
    };
    return {
      *wait() {
        if (tech.pending === null) {
          tech.state = 'idle';
          tech.wake = sim.event<void>();
          yield tech.wake;
        }
        return 'dispatched';
      },
      dispatched() {
        const machine = tech.pending!;
        tech.pending = null;
        tech.job = machine;
        tech.state = 'travel';
        tech.setRoute(machine.servicePoint, `machine ${machine.index + 1}`);
        factory.walk(tech, 'to-job', tech.route);
        return 'travel';
      },
      travel(run) {
        const walking = step(run, 'travel');
        if (walking !== null) return walking;
        const machine = tech.job!;
        tech.state = 'repair';
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
        return run.after(minutes, 'repair');
      },
      repair() {
        tech.job!.completeRepair();
        tech.job = null;
        tech.repairs++;
        tech.busyTotal += sim.now - tech.busySince;
        const next = factory.nextQueuedJob();
        if (next !== undefined) {
          tech.busySince = sim.now;
          tech.pending = next;
          return 'dispatched';
        }
        // Walk back to the post a cell at a time, ready to be dispatched from wherever it is.
        tech.state = 'returning';
        tech.setRoute(tech.post, 'its post');
        return 'return';
      },
      return(run) {
        const walking = step(run, 'return', tech.pending !== null);
        if (walking !== null) return walking;
        factory.walk(tech, 'return', tech.route.slice(0, tech.routeIndex + 1));
        return tech.pending === null ? 'wait' : 'dispatched';
      },
    };
  }

  /** Sets the route from the technician's cell to `to`. */
  setRoute(to: GridPoint, what: string): void {
    const floor = this.model.floor;
    const path = floor.findPath(floor.positionOf(this), to, { diagonal: true });
    if (path === null) {
      throw new TwinkitError(
        `Technician#${this.id}: ${what} cannot be reached from its cell; the floor layout must connect every service point and post to the aisle.`,
        { code: 'INVALID_STATE' },
      );
    }
    this.route = [...path.cells];
    this.routeIndex = 0;
  }

  /** Returns the technician's state as plain data (see `FactorySnapshot`; the hooks copy it). */
  saveState() {
    const { state, routeIndex, repairs, busySince, busyTotal } = this;
    return {
      cell: this.model.floor.cellOf(this),
      post: this.post,
      phase: this.phase,
      process: this.proc.saveState(),
      job: this.job?.index ?? null,
      pending: this.pending?.index ?? null,
      route: this.route,
      ...{ state, routeIndex, repairs, busySince, busyTotal },
    };
  }

  /** Takes over a state returned by {@link Technician.saveState} (before the processes start). */
  load(saved: TechnicianSnapshot): void {
    const machines = this.model.machines;
    const { cell: _c, post: _p, phase: _ph, process: _pr, job, pending, ...plain } = saved;
    Object.assign(this, plain, {
      job: job === null ? null : machines[job]!,
      pending: pending === null ? null : machines[pending]!,
    });
  }
}

/**
 * Returns the saved technicians a factory restored with `count` technicians takes over: all of them
 * in order when the crew grows (the new ones start idle at their posts); when it shrinks, the busy
 * ones and then the first idle ones, in order. A crew smaller than the technicians busy right now
 * is refused.
 */
export function keptTechnicians(saved: readonly TechnicianSnapshot[], count: number): TechnicianSnapshot[] {
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
