import { formatValue, invalidArgument, TwinkitError } from '../errors';

/** A handler for external input registered with {@link Simulation.onInput}. */
export type InputHandler<P = unknown> = (payload: P) => void;

/**
 * The input handlers of one simulation, by name. Kept apart from the clock: registering and looking
 * up handlers is bookkeeping, while journaling what they receive is the lineage's (model/lineage.ts).
 *
 * @internal
 */
export class InputRegistry {
  private readonly handlers = new Map<string, InputHandler<unknown>>();

  /** Registers a handler (the checks of `Simulation.onInput`). */
  register(name: string, handler: InputHandler<never>): void {
    if (typeof name !== 'string' || name.length === 0) {
      throw invalidArgument('Simulation.onInput(name, handler)', 'name must be a non-empty string', name);
    }
    if (typeof handler !== 'function') {
      throw invalidArgument('Simulation.onInput(name, handler)', 'handler must be a function', handler);
    }
    if (this.handlers.has(name)) {
      throw new TwinkitError(
        `Simulation.onInput(${formatValue(name)}): a handler is already registered for this input.`,
        { code: 'DUPLICATE' },
      );
    }
    this.handlers.set(name, handler as InputHandler<unknown>);
  }

  /** The handler for `name`, if any (replay reports a missing one as a divergence). */
  get(name: string): InputHandler<unknown> | undefined {
    return this.handlers.get(name);
  }

  /** The handler for `name`; throws NOT_FOUND naming the known inputs otherwise (`Simulation.input`). */
  require(name: string): InputHandler<unknown> {
    const handler = this.handlers.get(name);
    if (handler === undefined) {
      const known = [...this.handlers.keys()];
      throw new TwinkitError(
        `Simulation.input(${formatValue(name)}): no handler is registered for this input${known.length ? ` (known: ${known.map((k) => JSON.stringify(k)).join(', ')})` : ''}. Register one in the model with sim.onInput(name, handler).`,
        { code: 'NOT_FOUND' },
      );
    }
    return handler;
  }
}

/** Copies an input payload (structured clone), so later changes by the caller do not reach the model. */
export function copyPayload(name: string, payload: unknown): unknown {
  try {
    return structuredClone(payload);
  } catch (error) {
    throw invalidArgument(
      `Simulation.input(${formatValue(name)}, payload)`,
      'payload must be structured-cloneable data (no functions or class instances with methods)',
      payload,
      undefined,
      { cause: error },
    );
  }
}
