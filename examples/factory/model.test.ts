import { describe, expect, it } from 'vitest';
import { type Factory, factory } from './model';
import { DEFAULTS, type FactoryParams } from './params';

/** A small, fast-wearing factory so that a few simulated days hold many failures and repairs. */
const FAST: FactoryParams = {
  ...DEFAULTS,
  machines: 3,
  technicians: 2,
  busyWearRate: 0.06,
  idleWearRate: 0.02,
  initialHealth: [60, 80, 95],
  record: true,
};

function stepThrough(
  sim: ReturnType<typeof factory.create>,
  until: number,
  check: (m: Factory) => void,
): void {
  while (sim.peek() <= until) {
    sim.step();
    check(sim.model);
  }
}

describe('factory model invariants', () => {
  it('conserves parts, never runs a machine while it is down, and keeps every technician in one place', () => {
    const sim = factory.create({ seed: 11, params: FAST });
    const m = sim.model;
    const last = new Map<number, [number, number]>();
    let checks = 0;
    stepThrough(sim, 3 * 1440, (model) => {
      checks++;
      // Parts: everything that arrived is finished, waiting in a buffer, taken from a buffer by a
      // granted get (the machine resumes with it at this instant) or held by a machine.
      const waiting = model.machines.reduce((s, x) => s + x.buffer.size, 0);
      const held = model.machines.filter((x) => x.holding >= 0 || x.taking?.triggered).length;
      expect(model.arrived).toBe(model.completed + waiting + held);
      for (const machine of model.machines) expect(machine.busy && machine.down).toBe(false);
      // Technicians: on the grid exactly once, moving at most one cell per event, at the machine while repairing.
      expect(model.floor.agentCount).toBe(model.technicians.length);
      for (const tech of model.technicians) {
        expect(model.floor.has(tech)).toBe(true);
        const x = model.floor.xOf(tech);
        const y = model.floor.yOf(tech);
        const before = last.get(tech.id);
        if (before) expect(Math.max(Math.abs(before[0] - x), Math.abs(before[1] - y))).toBeLessThanOrEqual(1);
        last.set(tech.id, [x, y]);
        if (tech.state === 'repair') {
          expect({ x, y }).toEqual(tech.job!.servicePoint);
          expect(tech.job!.down).toBe(true);
        }
      }
    });
    expect(checks).toBeGreaterThan(1000);
    const fails = m.trace.filter((e) => e.what === 'fail').length;
    expect(fails).toBeGreaterThan(10); // the test exercised failures and repairs
    // From the trace: no start or resume while the machine is down; a failure while busy pauses it at once.
    const down = new Set<number>();
    let busyAtFail = 0;
    const running = new Set<number>();
    m.trace.forEach((e, i) => {
      if (e.what === 'fail') {
        down.add(e.machine);
        if (running.has(e.machine)) {
          busyAtFail++;
          const pause = m.trace.slice(i + 1).find((x) => x.machine === e.machine);
          expect(pause).toMatchObject({ what: 'pause', t: e.t });
        }
      }
      if (e.what === 'repaired') down.delete(e.machine);
      if (e.what === 'start' || e.what === 'resume') {
        expect(down.has(e.machine)).toBe(false);
        running.add(e.machine);
      }
      if (e.what === 'pause' || e.what === 'finish') running.delete(e.machine);
    });
    expect(busyAtFail).toBeGreaterThan(0); // the "holds its part until repaired" path ran
  });

  it('fails a machine when its health crosses the threshold (a state event) and restores it on repair', () => {
    const sim = factory.create({ seed: 5, params: FAST });
    const healthAtFail: number[] = [];
    let downSeen = 0;
    stepThrough(sim, 2 * 1440, (model) => {
      for (const machine of model.machines) {
        if (machine.down) {
          downSeen++;
          // No wear while down: health stays at the threshold until the repair.
          expect(machine.health).toBeCloseTo(FAST.failureThreshold, 6);
        }
      }
    });
    for (const e of sim.model.trace) if (e.what === 'fail') healthAtFail.push(e.t);
    expect(healthAtFail.length).toBeGreaterThan(3);
    expect(downSeen).toBeGreaterThan(0);
    // Right after a repair, health is 100 and falls from there.
    const repaired = sim.model.telemetry.filter((r) => r.kind === 'state' && r.value === 1);
    for (const r of repaired) expect(r.truth).toBe(100);
  });

  it('has a mean time to failure of about 480 hours at the default load (the design document)', () => {
    // New machines (health 100) at the default load: the time to the first failure of each machine
    // should be 480 h give or take the load's randomness over 20 days (a few percent).
    const firsts: number[] = [];
    for (const seed of [1, 2]) {
      const sim = factory.create({ seed, params: { ...DEFAULTS, record: true } });
      sim.run({ until: 560 * 60 });
      for (let i = 0; i < DEFAULTS.machines; i++) {
        const fail = sim.model.trace.find((e) => e.what === 'fail' && e.machine === i);
        expect(fail).toBeDefined();
        firsts.push(fail!.t / 60);
      }
    }
    const mean = firsts.reduce((a, b) => a + b, 0) / firsts.length;
    expect(Math.abs(mean - 480) / 480).toBeLessThan(0.05);
  });

  it('walks technicians to the failed machine and repairs in Normal(45, 8) minutes', () => {
    const sim = factory.create({ seed: 3, params: { ...FAST, technicians: 3 } });
    sim.run({ until: 10 * 1440 });
    const { walks, trace } = sim.model;
    // Every walk to a job ends at a machine's service point, and starts where the previous walk ended.
    const points = sim.model.machines.map((x) => `${x.servicePoint.x},${x.servicePoint.y}`);
    const lastCell = new Map<number, string>();
    for (const w of walks) {
      if (w.kind === 'to-job') expect(points).toContain(w.cells.at(-1)!.join(','));
      const before = lastCell.get(w.technician);
      if (before !== undefined) expect(w.cells[0]!.join(',')).toBe(before);
      lastCell.set(w.technician, w.cells.at(-1)!.join(','));
    }
    // Repair durations (repair start to repaired) against Normal(45, 8): mean within 3 standard
    // errors, standard deviation within 30%.
    const spans: number[] = [];
    const open = new Map<number, number>();
    for (const e of trace) {
      if (e.what === 'repair') open.set(e.machine, e.t);
      if (e.what === 'repaired') spans.push(e.t - open.get(e.machine)!);
    }
    const n = spans.length;
    expect(n).toBeGreaterThan(40);
    const mean = spans.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(spans.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    expect(Math.abs(mean - 45)).toBeLessThan((3 * 8) / Math.sqrt(n));
    expect(Math.abs(sd - 8) / 8).toBeLessThan(0.3);
  });

  it('dispatches the nearest available technician, and queues jobs when none is free', () => {
    const params: FactoryParams = {
      ...DEFAULTS,
      machines: 3,
      technicians: 3,
      failures: 'reported',
      record: true,
    };
    const sim = factory.create({ seed: 2, params });
    const { floor, machines, technicians } = sim.model;
    sim.input('failure', { machine: 2 });
    const costs = technicians.map(
      (t) => floor.findPath(t.post, machines[2]!.servicePoint, { diagonal: true })!.cost,
    );
    const nearest = costs.indexOf(Math.min(...costs));
    sim.run({ until: 200 });
    const jobs = sim.model.walks.filter((w) => w.kind === 'to-job');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.technician).toBe(technicians[nearest]!.id);

    // One technician, two failures at once: the second job waits and is taken straight after the first.
    const solo = factory.create({ seed: 2, params: { ...params, technicians: 1 } });
    solo.input('failure', { machine: 0 });
    solo.input('failure', { machine: 2 });
    expect(solo.state.get('maintenance.queue')).toBe(1);
    solo.run({ until: 400 });
    const walks = solo.model.walks;
    expect(walks.map((w) => w.kind).slice(0, 3)).toEqual(['to-job', 'to-job', 'return']);
    const a = solo.model.machines[0]!.servicePoint;
    expect(walks[1]!.cells[0]).toEqual([a.x, a.y]);
    expect(solo.model.machines.every((m) => !m.down)).toBe(true);
  });
});

describe('planned maintenance', () => {
  it('stops a machine at its order, services it in the maintenance time, renews its health, and counts no failure', () => {
    const params: FactoryParams = {
      ...FAST,
      initialHealth: [90, 95, 99],
      maintenanceMean: 20,
      maintenanceSd: 0,
      maintenancePlan: [{ machine: 1, at: 60 }],
    };
    const sim = factory.create({ seed: 3, params });
    sim.run({ until: 59 });
    expect(sim.model.machines[1]!.down).toBe(false);
    sim.run({ until: 61 });
    const m = sim.model.machines[1]!;
    expect(m.down).toBe(true);
    expect(m.stopCause).toBe('maintenance');
    sim.run({ until: 200 });
    expect(m.down).toBe(false);
    const [stop] = m.stops;
    expect(stop!.cause).toBe('maintenance');
    expect(stop!.at).toBe(60);
    // The technician walks from its post, then services for exactly maintenanceMean (sd 0).
    expect(stop!.serviceAt!).toBeGreaterThan(60);
    expect(stop!.end! - stop!.serviceAt!).toBeCloseTo(20, 9);
    const k = sim.model.kpis();
    expect(k.maintenances).toBe(1);
    expect(m.failures).toBe(0);
    // Renewed at the end of the service, then worn since.
    const since = sim.now - stop!.end!;
    expect(m.health).toBeLessThanOrEqual(100);
    expect(m.health).toBeGreaterThanOrEqual(100 - params.busyWearRate * since - 1e-9);
  });

  it('carries out an order once across a snapshot, and refuses an order in the past of a restored factory', () => {
    const params: FactoryParams = {
      ...FAST,
      initialHealth: [90, 95, 99],
      maintenancePlan: [{ machine: 0, at: 30 }],
    };
    const sim = factory.create({ seed: 4, params });
    sim.run({ until: 100 });
    const restored = factory.restore(JSON.parse(JSON.stringify(sim.snapshot())));
    restored.run({ until: 300 });
    expect(restored.model.machines[0]!.maintenances).toBe(1);
    const { maintenancePlan: _, ...plain } = params;
    const unplanned = factory.create({ seed: 4, params: plain });
    unplanned.run({ until: 100 });
    expect(() =>
      factory.restore(unplanned.snapshot(), {
        params: { ...plain, maintenancePlan: [{ machine: 0, at: 50 }] },
      }),
    ).toThrow(
      /maintenancePlan: an order not yet carried out must not be in the past of the factory \(now 100 min\)/,
    );
    expect(() =>
      factory.create({ seed: 1, params: { ...plain, maintenancePlan: [{ machine: 7, at: 5 }] } }),
    ).toThrow(/\(--maintenance-plan\[0\]\.machine\): must be a machine index 0\.\.2/);
  });
});

describe('factory snapshot hooks', () => {
  /** What a run did after `since`, to the last bit: KPIs, events, walks, readings, positions, health. */
  function future(sim: ReturnType<typeof factory.create>, since: number): string {
    const m = sim.model;
    return JSON.stringify({
      now: sim.now,
      kpis: m.kpis(),
      arrived: m.arrived,
      completed: m.completed,
      trace: m.trace.filter((e) => e.t >= since),
      walks: m.walks.filter((w) => w.start >= since),
      telemetry: m.telemetry.filter((r) => r.t >= since),
      cells: m.technicians.map((t) => m.floor.cellOf(t)),
      health: m.machines.map((x) => x.health),
      buffers: m.machines.map((x) => x.buffer.items),
      bufferStats: m.machines.map((x) => x.buffer.stats.toJSON()),
    });
  }

  it('forks by snapshot into the same future as by replay, from every phase of machines and technicians', () => {
    const live = factory.create({ seed: 4, params: FAST });
    const seen = new Set<string>();
    let forks = 0;
    while (live.now < 4 * 1440) {
      live.step();
      if (live.peek() === live.now) continue; // fork between instants
      const phases = [
        ...live.model.machines.map((x) => `machine:${x.phase}${x.down ? ':down' : ''}`),
        ...live.model.technicians.map((t) => `technician:${t.phase}`),
      ];
      const fresh = phases.filter((p) => !seen.has(p));
      if (fresh.length === 0) continue;
      for (const p of fresh) seen.add(p);
      const t = live.now;
      for (const replication of [0, 7]) {
        const bySnapshot = live.fork({ replication, mechanism: 'snapshot' });
        const byReplay = live.fork({ replication, mechanism: 'replay' });
        bySnapshot.run({ until: t + 1440 });
        byReplay.run({ until: t + 1440 });
        expect(future(bySnapshot, t)).toBe(future(byReplay, t));
        forks++;
      }
    }
    // The forks started from every phase, including processes suspended mid-way.
    for (const phase of [
      'machine:wait',
      'machine:processing',
      'machine:paused:down',
      'machine:held:down',
      'technician:wait',
      'technician:travel',
      'technician:repair',
      'technician:return',
    ]) {
      expect(seen).toContain(phase);
    }
    expect(forks).toBeGreaterThanOrEqual(12);
  });

  it('survives JSON and restores a factory whose future is the original one', () => {
    const live = factory.create({ seed: 8, params: FAST });
    live.run({ until: 1000.5 });
    const saved = JSON.parse(JSON.stringify(live.snapshot()));
    const restored = factory.restore(saved);
    expect(restored.now).toBe(1000.5);
    const replayed = live.fork({ mechanism: 'replay' });
    live.run({ until: 2500 });
    restored.run({ until: 2500 });
    replayed.run({ until: 2500 });
    expect(future(restored, 1000.5)).toBe(future(live, 1000.5));
    expect(future(replayed, 1000.5)).toBe(future(live, 1000.5));
    // A snapshot restored with parameters of another line is refused with the reason.
    const other = { ...saved, params: { ...saved.params, machines: 4, initialHealth: undefined } };
    expect(() => factory.restore(other)).toThrow(
      "factory.restore(snapshot): the saved factory must have the parameters' 4 machines, got 3.",
    );
  });

  it('restores the present under another crew size: busy technicians carry on, the new ones start at their posts', () => {
    // Find a moment with one technician busy (walking to or repairing a machine) and one idle.
    const live = factory.create({ seed: 12, params: { ...FAST, technicians: 2 } });
    while (live.now < 4 * 1440) {
      live.step();
      if (live.peek() === live.now) continue;
      const phases = live.model.technicians.map((t) => t.phase);
      if (phases.includes('repair') && phases.includes('wait')) break;
    }
    const busy = live.model.technicians.find((t) => t.phase === 'repair')!;
    const due = { job: busy.job!.index, at: busy.repairEndsAt, cell: live.model.floor.positionOf(busy) };
    const from = live.snapshot();
    const grown = factory.restore(from, { params: { ...FAST, technicians: 4 } });
    const crew = grown.model.technicians;
    expect(crew).toHaveLength(4);
    const kept = crew.find((t) => t.phase === 'repair')!;
    expect(kept.job!.index).toBe(due.job);
    expect(kept.repairEndsAt).toBe(due.at);
    expect(grown.model.floor.positionOf(kept)).toEqual(due.cell);
    for (const t of crew.slice(2)) expect(grown.model.floor.positionOf(t)).toEqual(t.post);
    // Shrinking to the one busy technician keeps it; below the technicians busy is refused.
    const shrunk = factory.restore(from, { params: { ...FAST, technicians: 1 } });
    expect(shrunk.model.technicians.map((t) => t.phase)).toEqual(['repair']);
    const hectic = factory.create({ seed: 3, params: { ...FAST, busyWearRate: 0.3, idleWearRate: 0.1 } });
    while (hectic.model.technicians.some((t) => t.phase === 'wait' && t.pending === null)) hectic.step();
    expect(() => factory.restore(hectic.snapshot(), { params: { ...FAST, technicians: 1 } })).toThrow(
      'factory.restore(snapshot, { params }): technicians must be at least the 2 busy at the snapshot, to shrink the crew from 2, got 1.',
    );
    // Both run on with the model's invariants: parts conserved, the repair finishes when it was due.
    for (const sim of [grown, shrunk]) {
      sim.run({ until: from.time + 2 * 1440 });
      const m = sim.model;
      const waiting = m.machines.reduce((n, x) => n + x.buffer.size, 0);
      const held = m.machines.filter((x) => x.holding >= 0 || x.taking?.triggered).length;
      expect(m.arrived).toBe(m.completed + waiting + held);
      const repaired = m.trace.find((e) => e.what === 'repaired' && e.t >= from.time);
      expect(repaired!.t).toBe(due.at);
    }
  });
});
