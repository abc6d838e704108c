import type { Simulation } from '@twinkit/core';
import type { Trace } from '../trace/trace';

/**
 * @internal Per-simulation state shared by every DES resource of one simulation. Resources fetch it
 * from here (not from the trace module), so a resource depends only on this small module.
 */
export interface DesContext {
  /** Active traces, or null when none (the hot path checks this one field). */
  traces: Trace[] | null;
  /** Counter for default resource names. */
  created: number;
}

const contexts = new WeakMap<Simulation, DesContext>();

/** @internal Returns the DES context of a simulation, creating it on first use. */
export function desContext(sim: Simulation): DesContext {
  let ctx = contexts.get(sim);
  if (ctx === undefined) {
    ctx = { traces: null, created: 0 };
    contexts.set(sim, ctx);
  }
  return ctx;
}
