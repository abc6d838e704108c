import { invalidArgument, rejectUnknownKeys, TwinkitError } from '../errors';
import type { Simulation } from '../simulation/simulation';

/** Options for {@link TimeSeries}. */
export interface TimeSeriesOptions {
  /** State-vector names to sample. */
  variables: readonly string[];
  /** Simulated time between samples (> 0). */
  interval: number;
  /** First sample time (default: now). */
  start?: number;
  /**
   * Most samples kept; older ones are dropped first and counted in {@link TimeSeries.dropped}
   * (default: unbounded).
   */
  maxSamples?: number;
}

const TIME_SERIES_OPTION_KEYS: readonly string[] = ['variables', 'interval', 'start', 'maxSamples'];

/**
 * Samples state-vector variables at a fixed interval of simulated time, on the shared calendar (a
 * sample at time t sees every event at t processed before it), and stores them column-wise.
 * Create it inside a model definition if the simulation is to be forked.
 *
 * @example
 * ```ts
 * const series = new TimeSeries(sim, { variables: ['line1.queue.length'], interval: 1 });
 * sim.run({ until: 100 });
 * series.times;                          // [0, 1, ..., 100]
 * series.column('line1.queue.length');   // Float64Array
 * ```
 */
export class TimeSeries {
  /** The sampled names, in column order. */
  readonly variables: readonly string[];
  /** Simulated time between samples. */
  readonly interval: number;
  private readonly sim: Simulation;
  private readonly maxSamples: number;
  private readonly columns: number[][];
  private readonly sampleTimes: number[] = [];
  private droppedCount = 0;
  private stopped = false;
  private readonly selection;

  /**
   * Starts sampling.
   *
   * @throws TwinkitError for an unknown variable, a non-positive interval or a start in the past.
   */
  constructor(sim: Simulation, options: TimeSeriesOptions) {
    const api = 'new TimeSeries(sim, options)';
    rejectUnknownKeys(api, options, TIME_SERIES_OPTION_KEYS, "{ variables: ['queue.length'], interval: 1 }");
    if (options === undefined) {
      throw invalidArgument(api, 'options { variables, interval } are required', options);
    }
    if (!(options.interval > 0) || !Number.isFinite(options.interval)) {
      throw invalidArgument(api, 'interval must be a finite number > 0', options.interval);
    }
    const start = options.start ?? sim.now;
    if (!Number.isFinite(start) || start < sim.now) {
      throw invalidArgument(api, `start must be a finite time >= now (${sim.now})`, start);
    }
    const maxSamples = options.maxSamples ?? Number.POSITIVE_INFINITY;
    if (!(maxSamples >= 1)) throw invalidArgument(api, 'maxSamples must be >= 1', maxSamples);
    this.sim = sim;
    this.variables = [...options.variables];
    this.interval = options.interval;
    this.maxSamples = maxSamples;
    this.selection = sim.state.select(this.variables);
    this.columns = this.variables.map(() => []);
    // Sample after everything else at the same time (largest priority).
    const tick = () => {
      if (this.stopped) return;
      this.sample();
      sim.schedule(this.interval, tick, { priority: Number.MAX_VALUE });
    };
    sim.schedule(start - sim.now, tick, { priority: Number.MAX_VALUE });
  }

  /** Sample times, oldest first. */
  get times(): readonly number[] {
    return this.sampleTimes;
  }

  /** Number of samples kept. */
  get length(): number {
    return this.sampleTimes.length;
  }

  /** Number of samples dropped because of `maxSamples`. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** The samples of one variable, oldest first. */
  column(name: string): Float64Array {
    const i = this.variables.indexOf(name);
    if (i < 0) {
      throw new TwinkitError(
        `TimeSeries.column(${JSON.stringify(name)}): this series does not sample that variable (it samples ${this.variables.map((v) => JSON.stringify(v)).join(', ')}).`,
        { code: 'NOT_FOUND' },
      );
    }
    return Float64Array.from(this.columns[i]!);
  }

  /** Stops sampling (the samples taken are kept). */
  stop(): void {
    this.stopped = true;
  }

  /** Renders the samples as CSV: a `time` column, then one column per variable. */
  toCSV(): string {
    const header = ['time', ...this.variables].join(',');
    const lines = this.sampleTimes.map((t, r) => [t, ...this.columns.map((c) => c[r])].join(','));
    return `${[header, ...lines].join('\n')}\n`;
  }

  /** Returns the samples as `{ time: [...], <name>: [...] }`. */
  toJSON(): Record<string, number[]> {
    const out: Record<string, number[]> = { time: [...this.sampleTimes] };
    this.variables.forEach((name, i) => {
      out[name] = [...this.columns[i]!];
    });
    return out;
  }

  private sample(): void {
    const values = this.selection.read();
    if (this.sampleTimes.length >= this.maxSamples) {
      this.sampleTimes.shift();
      for (const c of this.columns) c.shift();
      this.droppedCount++;
    }
    this.sampleTimes.push(this.sim.now);
    for (let i = 0; i < values.length; i++) this.columns[i]!.push(values[i]!);
  }
}
