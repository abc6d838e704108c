import type { Simulation, StateSelection } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import type { TransitionFunction } from '../extended-kalman-filter/extended-kalman-filter';
import { readVector, type VectorLike } from '../linear-algebra/matrix-like';

/** Options of {@link SimulationStateSpace}. */
export interface SimulationStateSpaceOptions {
  /** The state-vector names the filter estimates (e.g. `['line1.machine.health']`); all writable. */
  states: readonly string[];
}

/**
 * Views a running simulation as a state-space model for the Gaussian filters (EKF, UKF): the state is
 * a list of state-vector variables; the transition `f(x, dt)` forks the live simulation, writes x
 * into the fork, advances it by dt and reads the variables back; the estimate is written back into
 * the live simulation through its owners (`sim.state.write`).
 *
 * Forks keep the simulation's random streams, so f is deterministic for a given x: the model's own
 * randomness over the step is the process noise that Q stands for.
 *
 * @example
 * ```ts
 * const space = new SimulationStateSpace(live, { states: ['machine.health'] });
 * const ukf = new UnscentedKalmanFilter({ x0: space.read(), P0: [[0.01]], f: space.transition, Q: [[1e-4]],
 *   h: ([health]) => [vibration(health)], R: [[0.04]] });
 * // per reading:
 * ukf.predict(dt); space.advance(dt); ukf.update([reading]); space.write(ukf.x);
 * ```
 */
export class SimulationStateSpace {
  /** The live simulation. */
  readonly sim: Simulation<unknown>;
  /** The estimated variables, in order. */
  readonly names: readonly string[];
  /** The transition f(x, dt) through a fork of the live simulation. */
  readonly transition: TransitionFunction;
  private readonly selection: StateSelection;

  /** Wraps `sim`; every name must exist in its state vector and be writable. */
  constructor(sim: Simulation<unknown>, options: SimulationStateSpaceOptions) {
    const api = 'SimulationStateSpace(sim, options)';
    rejectUnknownKeys(api, options, ['states'], "{ states: ['machine.health'] }");
    if (!Array.isArray(options?.states) || options.states.length === 0) {
      throw invalidArgument(
        api,
        'states must name at least one state-vector variable',
        options?.states,
        "Pass { states: ['machine.health'] }.",
      );
    }
    for (const name of options.states) {
      if (!sim.state.has(name)) {
        throw invalidArgument(
          api,
          `every state must be defined in the state vector (known: ${sim.state.names.slice(0, 10).join(', ')})`,
          name,
        );
      }
      if (!sim.state.describe(name).writable) {
        throw invalidArgument(
          api,
          'every estimated state must be writable, so that corrections reach the model',
          name,
          'Give the variable a set function (or estimate another one).',
        );
      }
    }
    this.sim = sim;
    this.names = [...options.states];
    this.selection = sim.state.select(this.names);
    this.transition = (x, dt) => {
      const fork = this.sim.fork();
      fork.state.write(this.names, x);
      fork.run({ until: fork.now + dt });
      return fork.state.read(this.names);
    };
  }

  /** Returns the current values of the estimated variables in the live simulation. */
  read(): number[] {
    return Array.from(this.selection.read());
  }

  /** Writes an estimate into the live simulation (through the variables' owners). */
  write(x: VectorLike): void {
    this.selection.write(readVector('SimulationStateSpace.write(x)', 'x', x, this.names.length));
  }

  /** Advances the live simulation by dt. */
  advance(dt: number): void {
    if (!(Number.isFinite(dt) && dt >= 0))
      throw invalidArgument('SimulationStateSpace.advance(dt)', 'dt must be a finite number >= 0', dt);
    this.sim.run({ until: this.sim.now + dt });
  }
}
