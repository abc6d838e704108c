import { describe, expect, it } from 'vitest';
import { TwinkitError } from '../errors';
import { type Event, Interrupt, type Process } from '../events';
import { Simulation } from './simulation';
import type { StepInfo } from './step-info';

type Mode = 'timeout' | 'plain';

/** `yield wait(sim, mode, d)`: the same wait written as `sim.timeout(d)` or as a plain delay `d`. */
const wait = (sim: Simulation, mode: Mode, d: number): Event<unknown> | number =>
  mode === 'timeout' ? sim.timeout(d) : d;

/**
 * An M/M/1 queue with a FIFO line, breakdowns that interrupt the server (while it serves, and while
 * it waits for a customer), a monitor sampling on a grid and many customers whose waits tie: every
 * delay is rounded to a quarter so that events meet at the same instants, where only the insertion
 * order decides who runs first. Returns the log of what happened and every calendar step.
 */
function interleaved(mode: Mode, seed: number) {
  const sim = new Simulation({ seed });
  const log: string[] = [];
  const steps: [number, StepInfo['kind'], string | null][] = [];
  sim.onStep((s) => steps.push([s.time, s.kind, s.process]));
  const quarter = (x: number) => Math.ceil(x * 4) / 4;
  const line: number[] = [];
  let wake: Event<unknown> | null = null;
  sim.process(
    function* arrivals() {
      let id = 0;
      for (;;) {
        yield wait(sim, mode, quarter(sim.rng('arrivals').exponential(1)));
        line.push(id);
        log.push(`${sim.now} arrive ${id}`);
        id++;
        if (wake !== null && !wake.triggered) wake.succeed();
        // Some customers also run a process of their own that waits a while (ties with the server).
        if (id % 3 === 0) {
          const me = id;
          sim.process(
            function* () {
              yield wait(sim, mode, 0);
              yield wait(sim, mode, quarter(sim.rng('browse').exponential(2)));
              log.push(`${sim.now} browse ${me}`);
            },
            { name: `browser-${me}` },
          );
        }
      }
    },
    { name: 'arrivals' },
  );
  const server: Process<unknown> = sim.process(
    function* serve() {
      for (;;) {
        if (line.length === 0) {
          wake = sim.event();
          try {
            yield wake;
          } catch (e) {
            if (!(e instanceof Interrupt)) throw e;
            log.push(`${sim.now} broken idle`);
          }
          wake = null;
          continue;
        }
        const c = line[0]!;
        try {
          yield wait(sim, mode, quarter(sim.rng('service').exponential(0.8)));
          line.shift();
          log.push(`${sim.now} done ${c}`);
        } catch (e) {
          if (!(e instanceof Interrupt)) throw e;
          log.push(`${sim.now} broken ${e.cause}`);
          try {
            yield wait(sim, mode, 0.5); // repair: shorter than most services, so the cut one is still due
          } catch {
            log.push(`${sim.now} broken again`);
          }
        }
      }
    },
    { name: 'server' },
  );
  sim.process(
    function* breakdowns() {
      for (let n = 0; ; n++) {
        yield wait(sim, mode, quarter(sim.rng('failures').exponential(4)));
        server.interrupt(`failure-${n}`);
      }
    },
    { name: 'breakdowns' },
  );
  sim.process(
    function* monitor() {
      for (;;) {
        yield wait(sim, mode, 0.25);
        log.push(`${sim.now} line ${line.length}`);
      }
    },
    { name: 'monitor' },
  );
  sim.schedule(17.25, () => log.push(`${sim.now} scheduled`));
  sim.run({ until: 400 });
  return { log, steps, events: sim.eventsProcessed, pending: sim.pending, draws: sim.rng('service').next() };
}

describe('yield of a plain delay', () => {
  it('suspends the process for the delay and resumes it with undefined', () => {
    const sim = new Simulation();
    const seen: unknown[] = [];
    const p = sim.process(function* () {
      seen.push(yield 2.5, sim.now);
      seen.push(yield 0, sim.now);
      seen.push(yield sim.timeout(1, 'x'), sim.now);
      seen.push(yield 1, sim.now);
      return 'done';
    });
    sim.step(); // the start
    expect(sim.pending).toBe(1);
    expect(p.target).toBeNull();
    sim.run();
    expect(seen).toEqual([undefined, 2.5, undefined, 2.5, 'x', 3.5, undefined, 4.5]);
    expect(p.value).toBe('done');
    expect(sim.eventsProcessed).toBe(5); // start, 2.5, 0, the timeout, 1
  });

  it('takes the place of sim.timeout(d) in the calendar order: a model rewritten gives identical results', () => {
    for (const seed of [1, 2, 3]) {
      const byTimeout = interleaved('timeout', seed);
      const byDelay = interleaved('plain', seed);
      // A nontrivial run: many events, ties, interrupts of both kinds of wait.
      expect(byTimeout.events).toBeGreaterThan(2_500);
      expect(byTimeout.log.filter((l) => l.includes('broken')).length).toBeGreaterThan(20);
      expect(byTimeout.log.filter((l) => l.includes('broken again')).length).toBeGreaterThan(0);
      const times = byTimeout.steps.map(([t]) => t);
      expect(new Set(times).size).toBeLessThan(times.length * 0.6); // most instants hold several events
      expect(byDelay.log).toEqual(byTimeout.log);
      // Every calendar step, including the waits an interrupt cut short (they still come up and wake
      // nobody, like a timeout the process no longer waits on), at the same time, of the same kind,
      // for the same process.
      expect(byDelay.steps).toEqual(byTimeout.steps);
      expect(byDelay.events).toBe(byTimeout.events);
      expect(byDelay.pending).toBe(byTimeout.pending);
      expect(byDelay.draws).toBe(byTimeout.draws);
    }
  });

  it('orders ties with timeouts, scheduled calls and processes by insertion', () => {
    const sim = new Simulation();
    const log: string[] = [];
    sim.process(function* () {
      yield 1;
      log.push('a');
    });
    sim.process(function* () {
      yield sim.timeout(1);
      log.push('b');
    });
    sim.schedule(1, () => log.push('c'));
    sim.process(function* () {
      yield 1;
      log.push('d');
    });
    sim.schedule(1, () => log.push('urgent'), { priority: -1 });
    sim.run();
    // The processes start first (at t=0 they yield in creation order, after both schedule calls).
    expect(log).toEqual(['urgent', 'c', 'a', 'b', 'd']);
  });

  it('an interrupt reaches a process waiting on a plain delay; the cut delay wakes nobody', () => {
    const sim = new Simulation();
    const log: unknown[] = [];
    const worker = sim.process(
      function* () {
        try {
          yield 10;
          log.push('finished');
        } catch (e) {
          if (!(e instanceof Interrupt)) throw e;
          log.push(['interrupted', sim.now, e.cause]);
        }
        // Shorter and longer than what is left of the cut delay (due at 10): neither ends there.
        yield 2;
        log.push(['short', sim.now]);
        yield 10;
        log.push(['long', sim.now]);
        try {
          yield 1;
        } catch (e) {
          log.push(['again', sim.now, (e as Interrupt).cause]);
        }
        yield 100;
        log.push(['end', sim.now]);
      },
      { name: 'worker' },
    );
    const steps: string[] = [];
    sim.onStep((s) => steps.push(`${s.time} ${s.kind} ${s.description} ${s.process}`));
    sim.schedule(3, () => worker.interrupt('breakdown'));
    sim.schedule(15.5, () => worker.interrupt('again'));
    sim.run();
    expect(log).toEqual([
      ['interrupted', 3, 'breakdown'],
      ['short', 5],
      ['long', 15],
      ['again', 15.5, 'again'],
      ['end', 115.5],
    ]);
    expect(steps).toContain('10 timeout Delay(10) null'); // the cut delay comes up for nobody
    expect(steps).toContain('5 timeout Delay(2) worker');
    expect(steps).toContain('16 timeout Delay(1) null');
    expect(worker.value).toBeUndefined();
  });

  it('traces a plain delay as a timeout; its length only if yielded while a step listener was registered', () => {
    const sim = new Simulation();
    sim.process(
      function* () {
        yield 1;
        yield 2;
      },
      { name: 'p' },
    );
    sim.step(); // the start: yields 1 with nobody tracing
    const steps: string[] = [];
    sim.onStep((s) => steps.push(`${s.time} ${s.kind} ${s.description} ${s.process}`));
    sim.run();
    expect(steps).toEqual(['1 timeout Delay p', '3 timeout Delay(2) p']);
  });

  it('an uncaught interrupt of a plain delay fails the process', () => {
    const sim = new Simulation();
    const p = sim.process(function* () {
      yield 10;
    });
    sim.schedule(1, () => p.interrupt('stop'));
    expect(() => sim.run()).toThrow(Interrupt);
    expect(p.isAlive).toBe(false);
  });

  it('a negative, NaN or infinite delay throws a clear error into the generator', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const sim = new Simulation();
      let caught: unknown;
      sim.process(
        function* () {
          yield 1;
          try {
            yield bad;
          } catch (e) {
            caught = e;
          }
          yield 1;
        },
        { name: 'bad' },
      );
      sim.run();
      expect(sim.now).toBe(2);
      expect(caught).toBeInstanceOf(TwinkitError);
      expect((caught as TwinkitError).code).toBe('INVALID_ARGUMENT');
      expect((caught as Error).message).toMatch(
        /^process yield \(Process\(bad\) at t=1\): a plain delay must be a finite number >= 0, got (-1|NaN|Infinity|-Infinity)\. Time never runs backwards: yield a delay >= 0 \(yield 5\)/,
      );
    }
    const sim = new Simulation();
    const p = sim.process(function* () {
      yield -2;
    });
    expect(() => sim.run()).toThrow(/process yield .*got -2/);
    expect(p.ok).toBe(false);
  });

  it('yielding something that is neither an event nor a number names both remedies', () => {
    const sim = new Simulation();
    let caught: unknown;
    sim.process(
      function* () {
        try {
          yield '5' as unknown as number;
        } catch (e) {
          caught = e;
        }
      },
      { name: 'bad' },
    );
    sim.run();
    expect((caught as Error).message).toMatch(
      /Process\(bad\) yielded "5", which is neither an Event nor a delay\. Yield a plain delay \(yield 5\), sim\.timeout\(delay\)/,
    );
  });

  it('allocates nothing per delay: the process itself is the calendar entry of its delays', () => {
    const sim = new Simulation();
    const procs: Process<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      procs.push(
        sim.process(function* () {
          for (let k = 0; k < 100; k++) yield (i + 1) * 0.5;
        }),
      );
    }
    const calendar = (sim as unknown as { calendar: { entries(): unknown[] } }).calendar;
    sim.run({ until: 10 });
    expect(sim.pending).toBe(5);
    expect(new Set(calendar.entries())).toEqual(new Set(procs));
  });

  it('after an interrupt, the next delay and the end of the process get entries of their own', () => {
    const run = (mode: Mode) => {
      const sim = new Simulation();
      const calendar = (sim as unknown as { calendar: { entries(): unknown[] } }).calendar;
      const steps: string[] = [];
      sim.onStep((s) => steps.push(`${s.time} ${s.kind} ${s.process}`));
      const q = sim.process(
        function* () {
          try {
            yield wait(sim, mode, 1);
          } catch {}
          yield wait(sim, mode, 5);
          return 'slept';
        },
        { name: 'q' },
      );
      const r = sim.process(
        function* () {
          try {
            yield wait(sim, mode, 10);
          } catch {
            return 'cut';
          }
        },
        { name: 'r' },
      );
      const got: unknown[] = [];
      sim.process(function* () {
        got.push(yield r, sim.now);
        got.push(yield q, sim.now);
      });
      sim.schedule(0.5, () => {
        q.interrupt();
        r.interrupt();
      });
      sim.run({ until: 0.75 });
      const entries = calendar.entries();
      sim.run();
      return { steps, got, entries: mode === 'plain' ? entries.map((e) => e === q || e === r) : [] };
    };
    const plain = run('plain');
    expect(plain.got).toEqual(['cut', 0.5, 'slept', 5.5]);
    // On the calendar at 0.75, in order: q's cut delay (q itself, due 1), q's next delay (an entry of
    // its own, due 5.5), r's cut delay (r itself, due 10); r's end, an entry of its own, came at 0.5.
    expect(plain.entries).toEqual([true, false, true]);
    expect(plain.steps).toEqual(run('timeout').steps);
  });
});
