/**
 * A machine of the line: its input buffer, its SD health stock, and its process, written once as
 * phases (wait for a part, hold it, process it, pause while down) that the factory's
 * {@link ResumableGroup} saves and restores.
 */
import type { GridPoint } from '@twinkit/abm';
import type { Event, Phases, RandomStream, ResumableProcess } from '@twinkit/core';
import { Store, type StoreGet } from '@twinkit/des';
import type { Factory } from './factory';
import type { ProcessingTime } from './params';

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

/** A machine's state in a `FactorySnapshot` (see {@link Machine.saveState}). */
export type MachineSnapshot = ReturnType<Machine['saveState']>;

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
  /** Minutes of work left on the held part (phase `paused`). */
  remaining = Number.NaN;
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
  /** The machine's process (see {@link MachinePhase}). */
  readonly process: ResumableProcess<MachinePhase>;
  private downSince = 0;
  private busySince = 0;
  private wearRate: number;
  private downTotal = 0;
  private busyTotal = 0;
  // The SD model's own names, which the `line1.machine<i>.*` aliases point at (no alias on hot paths).
  private readonly sdHealth: string;
  private readonly sdWearRate: string;

  /** Builds machine `index` of the factory: new, or as `saved` (its process joins the factory's group). */
  constructor(
    private readonly factory: Factory,
    readonly index: number,
    readonly servicePoint: GridPoint,
    readonly processing: ProcessingTime,
    saved?: MachineSnapshot,
  ) {
    const { sim } = factory;
    this.buffer = new Store<number>(sim, { name: `line1.machine${index + 1}.buffer` });
    sim.state.define(`line1.machine${index + 1}.queueLength`, { get: () => this.buffer.size });
    this.sdHealth = `line1.sd.machine${index + 1}_health`;
    this.sdWearRate = `line1.sd.machine${index + 1}_wear_rate`;
    this.wearRate = factory.params.idleWearRate;
    if (saved !== undefined) {
      // (A copy from the snapshot hooks: its arrays become the machine's.)
      const { process: _, buffer, remaining, ...plain } = saved;
      this.buffer.restoreState(buffer);
      Object.assign(this, plain, { remaining: remaining ?? Number.NaN });
      if (this.down) this.repaired = sim.event<void>();
    }
    this.process = factory.processes.add(
      `machine${index + 1}`,
      this.phases(),
      'wait',
      saved?.process ?? null,
    );
  }

  /** The machine's process, phase by phase (a failure while processing pauses it). */
  private phases(): Phases<MachinePhase> {
    const m = this;
    const f = this.factory;
    const draw = f.sim.rng(`processing/machine${this.index + 1}`);
    return {
      *wait() {
        m.taking = m.buffer.get();
        m.holding = yield m.taking;
        m.taking = null;
        return 'held';
      },
      *held(run) {
        while (m.down) yield m.repaired!;
        const minutes = sample(draw, m.processing);
        f.log('start', m.index);
        m.setBusy(true);
        return run.after(minutes, 'processing');
      },
      processing: {
        run() {
          m.setBusy(false);
          m.processed++;
          f.log('finish', m.index);
          f.pass(m, m.holding);
          m.holding = -1;
          return 'wait';
        },
        interrupted(run) {
          m.remaining = run.remaining;
          f.log('pause', m.index);
          return 'paused';
        },
      },
      *paused(run) {
        while (m.down) yield m.repaired!;
        f.log('resume', m.index);
        m.setBusy(true);
        const left = m.remaining;
        m.remaining = Number.NaN;
        return run.after(left, 'processing');
      },
    };
  }

  /** What the machine's process waits for. */
  get phase(): MachinePhase {
    return this.process.phase;
  }

  /** When the part being processed is done (NaN unless phase `processing`). */
  get endsAt(): number {
    return this.phase === 'processing' ? this.process.due : Number.NaN;
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
      this.process.interrupt('failure');
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

  /** Returns the machine's state as plain data (see `FactorySnapshot`; the hooks copy it). */
  saveState() {
    // A get granted at this instant whose process has not resumed yet: the part is already out of
    // the buffer, so the restored machine starts holding it.
    const taken = this.taking?.triggered === true;
    const process = this.process.saveState();
    const { down, busy, failures, failureTimes, maintenances, stopCause, stops, processed } = this;
    const { downSince, busySince, wearRate, downTotal, busyTotal } = this;
    return {
      process: taken ? { ...process, phase: 'held' as const, due: null } : process,
      buffer: this.buffer.saveState(),
      holding: taken ? this.taking!.value : this.holding,
      remaining: Number.isNaN(this.remaining) ? null : this.remaining,
      ...{ down, busy, failures, failureTimes, maintenances, stopCause, stops, processed },
      ...{ downSince, busySince, wearRate, downTotal, busyTotal },
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
