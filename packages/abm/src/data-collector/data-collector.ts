import type { ScheduledCall } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import type { Agent, AgentClass, AgentModel } from '../agent-model/agent-model';
import { DataTable, type DataTableOptions, type ReportValue } from './data-table';
import { DATA_TABLE_OPTION_KEYS } from './option-keys';

/** Options of a {@link DataCollector}. */
export interface DataCollectorOptions<M extends AgentModel, A extends Agent> {
  /** Model-level reporters: one column each in {@link DataCollector.modelTable} (plus `time`). */
  model?: Record<string, (model: M) => ReportValue>;
  /** Agent-level reporters: one column each in {@link DataCollector.agentTable} (plus `time`, `agentId`). */
  agents?: Record<string, (agent: A) => ReportValue>;
  /** Which agents the agent-level reporters run on: a class (subclasses included); default all. */
  agentType?: AgentClass<A>;
  /** Storage policy of the model table (bounded, windowed or streaming); default in memory. */
  modelStorage?: DataTableOptions;
  /** Storage policy of the agent table; use `{ sink }` or `{ window }` for long runs with many agents. */
  agentStorage?: DataTableOptions;
}

const RESERVED = ['time', 'agentId'];
const DATA_COLLECTOR_OPTION_KEYS: readonly string[] = [
  'model',
  'agents',
  'agentType',
  'modelStorage',
  'agentStorage',
];

/**
 * Samples model-level and agent-level reporters into column-wise tables, at ticks (call
 * {@link collect} from a ticker's `after` hook), at events (call it from any handler), or every
 * fixed interval ({@link every}). Tables export to CSV and JSON and can be bounded or streamed, so a
 * run of a million agent-steps needs no more memory than a chunk.
 *
 * @example
 * ```ts
 * const data = new DataCollector(model, {
 *   model: { gini: (m) => gini(m.agents.map((a) => a.wealth)) },
 *   agents: { wealth: (a: Person) => a.wealth },
 *   agentStorage: { sink: (chunk) => out.write(chunk.toCSV({ header: false })) },
 * });
 * model.tick({ after: () => data.collect() });
 * ```
 */
export class DataCollector<M extends AgentModel = AgentModel, A extends Agent = Agent> {
  /** Rows of `time` and the model-level reporters. */
  readonly modelTable: DataTable;
  /** Rows of `time`, `agentId` and the agent-level reporters (one row per agent per sample). */
  readonly agentTable: DataTable;
  private readonly model: M;
  private readonly modelReporters: ((model: M) => ReportValue)[];
  private readonly agentReporters: ((agent: A) => ReportValue)[];
  private readonly agentType: AgentClass<A> | undefined;
  private readonly modelRow: ReportValue[];
  private readonly agentRow: ReportValue[];
  private samples = 0;

  /** Creates a collector for `model` with named reporters. */
  constructor(model: M, options: DataCollectorOptions<M, A>) {
    const api = 'new DataCollector(model, options)';
    rejectUnknownKeys(api, options, DATA_COLLECTOR_OPTION_KEYS, '{ model: { count: (m) => m.agentCount } }');
    rejectUnknownKeys(
      'new DataCollector(model, { modelStorage })',
      options?.modelStorage,
      DATA_TABLE_OPTION_KEYS,
      '{ window: 1000 }',
    );
    rejectUnknownKeys(
      'new DataCollector(model, { agentStorage })',
      options?.agentStorage,
      DATA_TABLE_OPTION_KEYS,
      '{ sink: (chunk) => write(chunk) }',
    );
    const modelNames = Object.keys(options.model ?? {});
    const agentNames = Object.keys(options.agents ?? {});
    for (const name of [...modelNames, ...agentNames]) {
      if (RESERVED.includes(name))
        throw invalidArgument(
          api,
          `reporter names ${RESERVED.join(' and ')} are used by the collector itself`,
          name,
          'Rename the reporter.',
        );
    }
    for (const [name, fn] of [
      ...Object.entries(options.model ?? {}),
      ...Object.entries(options.agents ?? {}),
    ]) {
      if (typeof fn !== 'function') throw invalidArgument(api, `reporter ${name} must be a function`, fn);
    }
    this.model = model;
    this.modelReporters = Object.values(options.model ?? {});
    this.agentReporters = Object.values(options.agents ?? {});
    this.agentType = options.agentType;
    this.modelTable = new DataTable(['time', ...modelNames], options.modelStorage);
    this.agentTable = new DataTable(['time', 'agentId', ...agentNames], options.agentStorage);
    this.modelRow = new Array(1 + modelNames.length);
    this.agentRow = new Array(2 + agentNames.length);
  }

  /** Number of samples taken. */
  get sampleCount(): number {
    return this.samples;
  }

  /** Records one row of model reporters and one row per agent of agent reporters, at the current time. */
  collect(): void {
    const time = this.model.sim.now;
    this.samples++;
    const row = this.modelRow;
    row[0] = time;
    for (let i = 0; i < this.modelReporters.length; i++) row[i + 1] = this.modelReporters[i]!(this.model);
    this.modelTable.append(row);
    if (this.agentReporters.length === 0) return;
    const agentRow = this.agentRow;
    agentRow[0] = time;
    for (const agent of this.model.listOfType<A>(this.agentType)) {
      agentRow[1] = agent.id;
      for (let i = 0; i < this.agentReporters.length; i++) agentRow[i + 2] = this.agentReporters[i]!(agent);
      this.agentTable.append(agentRow);
    }
  }

  /**
   * Samples every `interval` time units on the shared clock, from `start` (default: now). Runs after
   * other events at the same time when `priority` is high (default 1000). Returns a stop function.
   */
  every(interval: number, options: { start?: number; priority?: number } = {}): () => void {
    const api = 'DataCollector.every(interval)';
    rejectUnknownKeys(
      'DataCollector.every(interval, options)',
      options,
      ['start', 'priority'],
      '{ start: 0 }',
    );
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0)
      throw invalidArgument(api, 'interval must be a finite number > 0', interval);
    const sim = this.model.sim;
    const start = options.start ?? sim.now;
    if (!Number.isFinite(start) || start < sim.now)
      throw invalidArgument(api, `start must be a finite time >= now (${sim.now})`, start);
    const priority = options.priority ?? 1000;
    let k = 0;
    let pending: ScheduledCall | null = null;
    let stopped = false;
    const fire = () => {
      this.collect();
      k++;
      if (!stopped) pending = sim.schedule(Math.max(0, start + k * interval - sim.now), fire, { priority });
    };
    pending = sim.schedule(start - sim.now, fire, { priority });
    return () => {
      stopped = true;
      pending?.cancel();
    };
  }

  /** Hands the rows still buffered in streaming tables to their sinks. */
  flush(): void {
    this.modelTable.flush();
    this.agentTable.flush();
  }
}
