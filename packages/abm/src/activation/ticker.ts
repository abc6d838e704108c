import { type ScheduledCall, TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import type { Agent, AgentClass, AgentModel } from '../agent-model/agent-model';
import { randomIndex } from '../internal/random-source';

/**
 * The order in which agents act within a tick: `'sequential'` (creation order), `'random'` (a new
 * uniformly random order every tick, drawn from the model's stream), or staged: every agent runs
 * stage 1, then every agent runs stage 2, ... (each stage a method name).
 */
export type Activation =
  | 'sequential'
  | 'random'
  | {
      /** Method names called on every agent, one stage after the other. */
      stages: readonly string[];
      /** Agent order within the stages; default `'random'`. */
      order?: 'sequential' | 'random';
      /** Draw a new random order for every stage instead of once per tick; default `false`. */
      shuffleEachStage?: boolean;
    };

const TICK_OPTION_KEYS: readonly string[] = [
  'interval',
  'start',
  'activation',
  'agents',
  'priority',
  'ticks',
  'before',
  'after',
];
const ACTIVATION_KEYS: readonly string[] = ['stages', 'order', 'shuffleEachStage'];

/** Options of {@link AgentModel.tick}. */
export interface TickOptions<A extends Agent = Agent> {
  /** Time between ticks (finite, > 0); default 1. */
  interval?: number;
  /** Time of the first tick; default `now + interval`. */
  start?: number;
  /** Activation order; default `'random'`. */
  activation?: Activation;
  /** Which agents act: a class (subclasses included) or a function returning them; default every agent. */
  agents?: AgentClass<A> | (() => Iterable<A>);
  /** Calendar priority of the tick event at equal times (lower first); default 0. */
  priority?: number;
  /** Stop after this many ticks; default no limit. */
  ticks?: number;
  /** Called at the start of each tick, before any agent acts, with the tick number (1, 2, ...). */
  before?: (tick: number) => void;
  /** Called at the end of each tick, after every agent acted (collect data here). */
  after?: (tick: number) => void;
}

/**
 * Steps a model's agents on a fixed tick: a recurring event on the shared calendar, so ticks
 * interleave with DES processes, SD integration and agents' own events in time order. Agents
 * created during a tick act from the next tick on; agents removed during a tick do not act again.
 * Create it with {@link AgentModel.tick}.
 */
export class Ticker<A extends Agent = Agent> {
  /** Time between ticks. */
  readonly interval: number;
  private readonly model: AgentModel;
  private readonly options: TickOptions<A>;
  private readonly start: number;
  private readonly stages: readonly string[] | null;
  private readonly randomOrder: boolean;
  private readonly shuffleEachStage: boolean;
  private readonly priority: number;
  private readonly maxTicks: number;
  private count = 0;
  private stopped = false;
  private pending: ScheduledCall | null = null;

  /** @internal Use {@link AgentModel.tick}. */
  constructor(model: AgentModel, options: TickOptions<A> = {}) {
    const api = 'AgentModel.tick(options)';
    rejectUnknownKeys(api, options, TICK_OPTION_KEYS, "{ interval: 1, activation: 'random' }");
    const interval = options.interval ?? 1;
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0)
      throw invalidArgument(api, 'interval must be a finite number > 0', interval);
    const start = options.start ?? model.sim.now + interval;
    if (typeof start !== 'number' || !Number.isFinite(start) || start < model.sim.now)
      throw invalidArgument(api, `start must be a finite time >= now (${model.sim.now})`, start);
    const priority = options.priority ?? 0;
    if (!Number.isFinite(priority)) throw invalidArgument(api, 'priority must be a finite number', priority);
    const maxTicks = options.ticks ?? Number.POSITIVE_INFINITY;
    if (!(maxTicks >= 0) || (Number.isFinite(maxTicks) && !Number.isInteger(maxTicks)))
      throw invalidArgument(api, 'ticks must be an integer >= 0', maxTicks);
    const activation = options.activation ?? 'random';
    if (activation === 'sequential' || activation === 'random') {
      this.stages = null;
      this.randomOrder = activation === 'random';
      this.shuffleEachStage = false;
    } else if (activation !== null && typeof activation === 'object' && Array.isArray(activation.stages)) {
      rejectUnknownKeys(
        'AgentModel.tick({ activation })',
        activation,
        ACTIVATION_KEYS,
        "{ stages: ['move', 'eat'] }",
      );
      if (activation.stages.length === 0 || activation.stages.some((s) => typeof s !== 'string' || s === ''))
        throw invalidArgument(
          api,
          'activation.stages must be a non-empty list of method names',
          activation.stages,
          "Pass { stages: ['move', 'eat'] }.",
        );
      const order = activation.order ?? 'random';
      if (order !== 'random' && order !== 'sequential')
        throw invalidArgument(api, "activation.order must be 'sequential' or 'random'", order);
      this.stages = [...activation.stages];
      this.randomOrder = order === 'random';
      this.shuffleEachStage = activation.shuffleEachStage ?? false;
    } else {
      throw invalidArgument(
        api,
        "activation must be 'sequential', 'random' or { stages: [...] }",
        activation,
      );
    }
    this.model = model;
    this.options = options;
    this.interval = interval;
    this.start = start;
    this.priority = priority;
    this.maxTicks = maxTicks;
    if (maxTicks > 0) this.pending = model.sim.schedule(start - model.sim.now, this.fire, { priority });
  }

  /** Number of ticks started so far. */
  get ticks(): number {
    return this.count;
  }

  /** Whether more ticks are scheduled. */
  get running(): boolean {
    return this.pending !== null;
  }

  /** Stops ticking (the next tick is cancelled); a tick in progress finishes. */
  stop(): void {
    this.stopped = true;
    this.pending?.cancel();
    this.pending = null;
  }

  private readonly fire = (): void => {
    this.pending = null;
    const tick = ++this.count;
    // The snapshot comes first: agents created during the tick (hooks included) act from the next one.
    const agents = this.snapshot();
    this.options.before?.(tick);
    const rng = this.model.rng;
    const shuffle = () => {
      for (let i = agents.length - 1; i > 0; i--) {
        const j = randomIndex(rng, i + 1);
        const t = agents[i]!;
        agents[i] = agents[j]!;
        agents[j] = t;
      }
    };
    if (this.randomOrder) shuffle();
    if (this.stages === null) {
      for (let i = 0; i < agents.length; i++) {
        const agent = agents[i]!;
        if (!agent.alive) continue;
        const step = (agent as { step?: () => void }).step;
        if (typeof step !== 'function') throw missingMethod(agent, 'step');
        step.call(agent);
      }
    } else {
      for (let s = 0; s < this.stages.length; s++) {
        const stage = this.stages[s]!;
        if (s > 0 && this.randomOrder && this.shuffleEachStage) shuffle();
        for (let i = 0; i < agents.length; i++) {
          const agent = agents[i]!;
          if (!agent.alive) continue;
          const method = (agent as unknown as Record<string, unknown>)[stage];
          if (typeof method !== 'function') throw missingMethod(agent, stage);
          method.call(agent);
        }
      }
    }
    this.options.after?.(tick);
    if (this.count < this.maxTicks && this.pending === null && !this.stopped) {
      // Times are start + k * interval, so rounding errors never accumulate.
      const next = this.start + this.count * this.interval;
      this.pending = this.model.sim.schedule(Math.max(0, next - this.model.sim.now), this.fire, {
        priority: this.priority,
      });
    }
  };

  private snapshot(): A[] {
    const which = this.options.agents;
    if (which === undefined) return this.model.listOfType<A>(undefined);
    if (this.model._isAgentClass(which)) return this.model.listOfType(which as AgentClass<A>);
    return Array.from((which as () => Iterable<A>)());
  }
}

function missingMethod(agent: Agent, method: string): TwinkitError {
  return new TwinkitError(
    `AgentModel.tick: ${agent.constructor.name}#${agent.id} has no method ${method}(), which the activation calls. Define ${method}() on ${agent.constructor.name}, or restrict the ticker with { agents: TheClass }.`,
    { code: 'INVALID_STATE', details: { id: agent.id, method } },
  );
}
