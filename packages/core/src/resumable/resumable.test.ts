import { describe, expect, it } from 'vitest';
import { Interrupt } from '../events/event';
import { Simulation } from '../simulation/simulation';
import { type PhaseRun, type Phases, ResumableGroup, type ResumableGroupState } from './resumable';

/** A small model: two servers on timed work, a ticker at equal times, and a log of what happened. */
function build(sim: Simulation, saved?: { group: ResumableGroupState; done: number[] }) {
  const log: string[] = [];
  const done = saved?.done ? [...saved.done] : [0, 0];
  const group = new ResumableGroup(sim, saved?.group);
  const servers = [0, 1].map((i) => {
    const draw = sim.rng(`service${i}`);
    const phases: Phases<'idle' | 'busy' | 'paused'> = {
      idle: (run) => run.after(draw.exponential(3), 'busy'),
      busy: {
        run: () => {
          done[i]!++;
          log.push(`${sim.now}:done${i}`);
          return 'idle';
        },
        interrupted: (run) => {
          log.push(`${sim.now}:paused${i}:${run.remaining}`);
          pausedLeft[i] = run.remaining;
          return 'paused';
        },
      },
      *paused(run) {
        yield sim.timeout(0.5);
        return run.after(pausedLeft[i]!, 'busy');
      },
    };
    return group.add(`server${i}`, phases, 'idle');
  });
  const pausedLeft = [0, 0];
  // Two tickers due at the same instants: their order must survive a restore.
  for (const name of ['tickA', 'tickB']) {
    group.add(
      name,
      {
        tick: (run) => {
          if (run.afterWait) log.push(`${sim.now}:${name}`);
          return run.after(1, 'tick');
        },
      },
      'tick',
    );
  }
  group.start();
  return { group, servers, log, done };
}

describe('ResumableGroup', () => {
  it('saves mid-wait as JSON and restores a process whose future is the uninterrupted one', () => {
    const whole = new Simulation({ seed: 3 });
    const a = build(whole);
    whole.run({ until: 20 });
    const from = a.log.length;

    const first = new Simulation({ seed: 3 });
    const b = build(first);
    first.run({ until: 7.25 });
    const saved = JSON.parse(JSON.stringify({ group: b.group.saveState(), done: b.done }));
    expect(saved.group.processes.server0.phase).toMatch(/busy|idle/);
    expect(saved.group.processes.tickA).toEqual({ phase: 'tick', due: 8, seq: expect.any(Number) });
    // Resume in a new simulation at the same time, with the random streams where they were: here
    // the streams are re-created and advanced by the draws made so far.
    const second = new Simulation({ seed: 3, startTime: 7.25 });
    for (const i of [0, 1]) {
      const draws = b.log.filter((l) => l.endsWith(`done${i}`)).length + 1;
      for (let k = 0; k < draws; k++) second.rng(`service${i}`).exponential(3);
    }
    const c = build(second, saved);
    second.run({ until: 20 });
    expect(c.log).toEqual(a.log.filter((l) => Number(l.split(':')[0]) > 7.25));
    expect(c.done).toEqual(a.done);
    expect(from).toBeGreaterThan(0);
  });

  it('keeps the order of waits due at the same instant across a restore', () => {
    const sim = new Simulation({ seed: 1 });
    const m = build(sim);
    sim.run({ until: 2.5 });
    const state = m.group.saveState();
    // Reverse the stamps of the tickers: the restored group fires B before A.
    const { tickA, tickB } = state.processes;
    [tickA!.seq, tickB!.seq] = [tickB!.seq, tickA!.seq];
    const other = new Simulation({ seed: 1, startTime: 2.5 });
    const r = build(other, { group: state, done: m.done });
    other.run({ until: 3 });
    expect(r.log.filter((l) => l.includes('tick'))).toEqual(['3:tickB', '3:tickA']);
    const same = new Simulation({ seed: 1, startTime: 2.5 });
    const s = build(same, { group: m.group.saveState(), done: m.done });
    same.run({ until: 3 });
    expect(s.log.filter((l) => l.includes('tick'))).toEqual(['3:tickA', '3:tickB']);
  });

  it('hands an interrupt during a timed wait to the phase handler with the time left', () => {
    const sim = new Simulation({ seed: 2 });
    const m = build(sim);
    sim.run({ until: 0.1 });
    const server = m.servers[0]!;
    expect(server.phase).toBe('busy');
    const due = server.due;
    sim.schedule(0, () => server.interrupt('failure'));
    sim.run({ until: 0.2 });
    expect(server.phase).toBe('paused');
    expect(m.log.find((l) => l.includes('paused0'))).toBe(`0.1:paused0:${due - 0.1}`);
    sim.run({ until: due + 0.5 + 1e-9 });
    expect(m.log).toContain(`${due + 0.5}:done0`);
    expect(m.done[0]).toBe(1);
  });

  it('restarts a phase from its start when the saved due time is null', () => {
    const sim = new Simulation({ seed: 1 });
    const group = new ResumableGroup(sim, { seq: 0, processes: { p: { phase: 'work', due: null, seq: 0 } } });
    const seen: boolean[] = [];
    const work = (run: PhaseRun<'work'>) => {
      seen.push(run.afterWait);
      return run.after(2, 'work');
    };
    group.add('p', { work }, 'work');
    group.start();
    sim.run({ until: 4 });
    expect(seen).toEqual([false, true, true]);
  });

  it('refuses unknown phases, reused names, bad delays and late additions with the rule', () => {
    const sim = new Simulation();
    const group = new ResumableGroup(sim);
    expect(() => group.add('x', { a: () => 'a' }, 'b' as 'a')).toThrow(
      /the phase initial must be one of the phases \(a\)/,
    );
    group.add('y', { a: (run) => run.after(-1, 'a') }, 'a');
    expect(() => group.add('y', { a: () => 'a' }, 'a')).toThrow(
      /name must be a non-empty string not used yet/,
    );
    group.add('z', { a: () => 'c' as 'a' }, 'a');
    group.start();
    expect(() => group.start()).toThrow(/has started already/);
    expect(() => group.add('w', { a: () => 'a' }, 'a')).toThrow(/add "w" before group.start\(\)/);
    expect(() => sim.run()).toThrow(/run\.after\(delay, next\): delay must be a finite number >= 0, got -1/);
    expect(() => new ResumableGroup(sim, { seq: 'x' } as never)).toThrow(/saved must be a state returned by/);
    const spin = new Simulation();
    const loop = new ResumableGroup(spin);
    loop.add('loop', { a: () => 'b', b: () => 'a' }, 'a');
    loop.start();
    expect(() => spin.run()).toThrow(
      /"loop": its phases entered each other 100000 times at t=0 without waiting/,
    );
    const later = new ResumableGroup(new Simulation());
    const p = later.add('p', { a: () => 'a' }, 'a');
    expect(() => p.interrupt()).toThrow(/has not started/);
    expect(new Interrupt('x').cause).toBe('x');
  });
});
