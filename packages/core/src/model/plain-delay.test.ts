import { describe, expect, it } from 'vitest';
import { type Event, Interrupt } from '../events';
import type { Simulation } from '../simulation';
import { defineModel } from './define-model';

type Mode = 'timeout' | 'plain';

/** One actor's pending wait, as plain data: when it ends and the order it was scheduled in. */
interface Wait {
  due: number | null;
  seq: number;
}

/** Everything that decides the shop's future. */
interface ShopState {
  machines: (Wait & { broken: number })[];
  inspector: Wait;
  stamp: number;
}

interface ShopParams {
  machines: number;
  mode: Mode;
}

/**
 * Machines that work for a random time (rounded to a quarter, so many finish at the same instants)
 * and an inspector that interrupts one of them every so often, cutting its wait short and sending it
 * to a repair: every process is suspended on a plain delay (or, in 'timeout' mode, on the same
 * `sim.timeout`) at any moment, some just after an interrupt left their cut delay on the calendar.
 * Restoring starts the processes in the order their waits were scheduled, so that waits due at the
 * same instant end in the original order.
 */
function startShop(sim: Simulation, params: ShopParams, saved: ShopState | null) {
  const wait = (d: number): Event<unknown> | number => (params.mode === 'timeout' ? sim.timeout(d) : d);
  const quarter = (x: number) => Math.ceil(x * 4) / 4;
  const state: ShopState = saved ?? {
    machines: Array.from({ length: params.machines }, () => ({ due: null, seq: 0, broken: 0 })),
    inspector: { due: null, seq: 0 },
    stamp: 0,
  };
  const trace: string[] = [];
  const procs: { interrupt(cause?: unknown): void }[] = [];
  const starts: [seq: number, start: () => void][] = [];
  state.machines.forEach((m, i) => {
    starts.push([
      m.seq,
      () => {
        procs[i] = sim.process(
          function* () {
            for (;;) {
              if (m.due === null) {
                m.due = sim.now + quarter(sim.rng('work').exponential(3));
                m.seq = ++state.stamp;
              }
              try {
                yield wait(m.due - sim.now);
                trace.push(`${sim.now} m${i} done`);
                m.due = null;
              } catch (e) {
                if (!(e instanceof Interrupt)) throw e;
                m.broken++;
                trace.push(`${sim.now} m${i} broken by ${e.cause}`);
                m.due = sim.now + 0.5; // the repair, then work afresh
                m.seq = ++state.stamp;
              }
            }
          },
          { name: `m${i}` },
        );
      },
    ]);
  });
  const inspector = state.inspector;
  starts.push([
    inspector.seq,
    () => {
      sim.process(
        function* () {
          for (;;) {
            if (inspector.due === null) {
              inspector.due = sim.now + quarter(sim.rng('inspect').exponential(0.7));
              inspector.seq = ++state.stamp;
            }
            yield wait(inspector.due - sim.now);
            inspector.due = null;
            const victim = sim.rng('pick').integer(0, procs.length - 1);
            procs[victim]!.interrupt(`inspection at ${sim.now}`);
          }
        },
        { name: 'inspector' },
      );
    },
  ]);
  starts.sort((a, b) => a[0] - b[0]);
  // Machines are indexed before any process starts (the inspector picks among all of them).
  for (let i = 0; i < state.machines.length; i++) procs.push({ interrupt: () => {} });
  for (const [, start] of starts) start();
  return { trace, saveState: (): ShopState => structuredClone(state) };
}

const shop = defineModel((sim, params: ShopParams) => startShop(sim, params, null), {
  name: 'plain-delay-shop',
  snapshot: {
    saveState: (model) => model.saveState(),
    restoreState: (sim, params, saved) => startShop(sim, params, saved),
  },
});

/** A live shop run to `until`, then stepped until some machine's cut delay is still on the calendar. */
function liveShop(mode: Mode, until: number) {
  const live = shop.create({ seed: 7, params: { machines: 40, mode } });
  live.run({ until });
  // Step until an interrupt has just happened: a machine is on its repair while its cut delay waits.
  for (let i = 0; i < 10_000; i++) {
    const last = live.model.trace.at(-1) ?? '';
    if (last.includes('broken')) break;
    live.step();
  }
  expect(live.model.trace.at(-1)).toMatch(/broken/);
  return live;
}

describe('processes suspended on plain delays', () => {
  it('run exactly as the same model on sim.timeout', () => {
    const a = shop.create({ seed: 3, params: { machines: 40, mode: 'timeout' } });
    const b = shop.create({ seed: 3, params: { machines: 40, mode: 'plain' } });
    a.run({ until: 150 });
    b.run({ until: 150 });
    expect(a.model.trace.length).toBeGreaterThan(2_000);
    expect(a.model.trace.filter((l) => l.includes('broken')).length).toBeGreaterThan(100);
    expect(b.model.trace).toEqual(a.model.trace);
    expect(b.eventsProcessed).toBe(a.eventsProcessed);
    expect(b.pending).toBe(a.pending);
  });

  it('fork by replay and by snapshot, and restore from JSON, reproducing the future exactly', () => {
    const live = liveShop('plain', 40);
    const from = live.model.trace.length;
    const byReplay = live.fork({ mechanism: 'replay' });
    const bySnapshot = live.fork({ mechanism: 'snapshot' });
    const restored = shop.restore(JSON.parse(JSON.stringify(live.snapshot())));
    for (const sim of [live, byReplay, bySnapshot, restored]) sim.run({ until: 120 });
    const future = live.model.trace.slice(from);
    expect(future.length).toBeGreaterThan(500);
    expect(byReplay.model.trace.slice(from)).toEqual(future);
    expect(byReplay.eventsProcessed).toBe(live.eventsProcessed);
    expect(bySnapshot.model.trace).toEqual(future);
    expect(restored.model.trace).toEqual(future);
    // A fork of the fork (by snapshot, of a restored simulation) too.
    const again = bySnapshot.fork();
    const from2 = bySnapshot.model.trace.length;
    again.run({ until: 160 });
    bySnapshot.run({ until: 160 });
    expect(again.model.trace).toEqual(bySnapshot.model.trace.slice(from2));
  });

  it('fork to the same future as the same model on sim.timeout', () => {
    const plain = liveShop('plain', 25);
    const byTimeout = liveShop('timeout', 25);
    expect(plain.model.trace).toEqual(byTimeout.model.trace);
    const forks = [plain.fork(), byTimeout.fork(), plain.fork({ mechanism: 'replay' })];
    for (const sim of forks) sim.run({ until: 90 });
    expect(forks[1]!.model.trace.length).toBeGreaterThan(500);
    expect(forks[0]!.model.trace).toEqual(forks[1]!.model.trace);
    expect(forks[2]!.model.trace.slice(plain.model.trace.length)).toEqual(forks[1]!.model.trace);
  });
});
