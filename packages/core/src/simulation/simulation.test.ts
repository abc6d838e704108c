import { describe, expect, it } from 'vitest';
import { TwinkitError } from '../errors';
import { type ConditionValue, type Event, Interrupt } from '../events';
import { Simulation } from './simulation';

describe('Simulation clock and calendar', () => {
  it('orders events by time, then priority (lower first), then insertion order', () => {
    const sim = new Simulation();
    const log: string[] = [];
    sim.schedule(2, () => log.push('t2'));
    sim.schedule(1, () => log.push('t1 p0 first'));
    sim.schedule(1, () => log.push('t1 p-1'), { priority: -1 });
    sim.schedule(1, () => log.push('t1 p0 second'));
    sim.schedule(1, () => log.push('t1 p5'), { priority: 5 });
    sim.run();
    expect(log).toEqual(['t1 p-1', 't1 p0 first', 't1 p0 second', 't1 p5', 't2']);
    expect(sim.now).toBe(2);
  });

  it('starts the clock at startTime and steps one event at a time', () => {
    const sim = new Simulation({ startTime: 10 });
    expect(sim.now).toBe(10);
    const seen: number[] = [];
    sim.schedule(5, () => seen.push(sim.now));
    sim.schedule(1, () => seen.push(sim.now));
    expect(sim.peek()).toBe(11);
    expect(sim.pending).toBe(2);
    expect(sim.step()).toBe(true);
    expect(seen).toEqual([11]);
    expect(sim.step()).toBe(true);
    expect(sim.step()).toBe(false);
    expect(seen).toEqual([11, 15]);
    expect(sim.eventsProcessed).toBe(2);
    expect(sim.peek()).toBe(Number.POSITIVE_INFINITY);
  });

  it('run({ until: t }) processes events at or before t and sets the clock to t', () => {
    const sim = new Simulation();
    const seen: number[] = [];
    for (const t of [1, 5, 5, 6]) sim.schedule(t, () => seen.push(t));
    sim.run({ until: 5 });
    expect(seen).toEqual([1, 5, 5]);
    expect(sim.now).toBe(5);
    sim.run({ until: 5.5 });
    expect(sim.now).toBe(5.5);
    sim.advanceTo(10);
    expect(seen).toEqual([1, 5, 5, 6]);
    expect(sim.now).toBe(10);
  });

  it('rejects time going backwards and non-finite targets', () => {
    const sim = new Simulation();
    sim.run({ until: 5 });
    expect(() => sim.run({ until: 4 })).toThrow(/must not be before the current time 5, got 4/);
    expect(() => sim.advanceTo(Number.NaN)).toThrow(TwinkitError);
    expect(() => sim.advanceTo(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });

  it('rejects negative, NaN and infinite delays with the value in the message', () => {
    const sim = new Simulation();
    expect(() => sim.timeout(-3)).toThrow(
      'Simulation.timeout(delay): delay must be a finite number >= 0, got -3.',
    );
    expect(() => sim.timeout(Number.NaN)).toThrow(/got NaN/);
    expect(() => sim.timeout(Number.POSITIVE_INFINITY)).toThrow(/got Infinity/);
    expect(() => sim.schedule(-1, () => {})).toThrow(/got -1/);
    expect(() => sim.schedule(1, () => {}, { priority: Number.NaN })).toThrow(
      /priority must be a finite number/,
    );
  });

  it('cancels scheduled calls before they run', () => {
    const sim = new Simulation();
    const log: number[] = [];
    const a = sim.schedule(1, () => log.push(1));
    const b = sim.schedule(2, () => log.push(2));
    expect(a.cancel()).toBe(true);
    expect(a.cancel()).toBe(false);
    expect(sim.pending).toBe(1);
    sim.run();
    expect(log).toEqual([2]);
    expect(b.fired).toBe(true);
    expect(b.cancel()).toBe(false);
    expect(a.cancelled).toBe(true);
  });

  it('refuses to run re-entrantly from inside an event', () => {
    const sim = new Simulation();
    let error: unknown;
    sim.schedule(1, () => {
      try {
        sim.run();
      } catch (e) {
        error = e;
      }
    });
    sim.run();
    expect(error).toBeInstanceOf(TwinkitError);
    expect(String(error)).toMatch(/already running/);
  });

  it('run({ until: event }) returns its value, and throws if the calendar empties first', () => {
    const sim = new Simulation();
    const p = sim.process(function* () {
      yield sim.timeout(3);
      return 'done';
    });
    expect(sim.run({ until: p })).toBe('done');
    expect(sim.now).toBe(3);
    const never = sim.event();
    expect(() => sim.run({ until: never })).toThrow(/ran empty/);
  });
});

describe('Events', () => {
  it('a timeout succeeds with its value after the delay', () => {
    const sim = new Simulation();
    const got: unknown[] = [];
    sim.process(function* () {
      const v = yield sim.timeout(1, 'x');
      got.push(v, sim.now);
    });
    sim.run();
    expect(got).toEqual(['x', 1]);
  });

  it('triggering an event twice is an error that names the event', () => {
    const sim = new Simulation();
    const ev = sim.event<number>();
    ev.succeed(1);
    expect(() => ev.succeed(2)).toThrow(/has already been triggered/);
    expect(() => ev.fail(new Error('x'))).toThrow(TwinkitError);
    expect(() => sim.event().fail('not an error' as unknown as Error)).toThrow(
      /must be an Error instance, got "not an error"/,
    );
  });

  it('reading value or ok of a pending event is an error', () => {
    const sim = new Simulation();
    const ev = sim.event();
    expect(() => ev.value).toThrow(/not been triggered/);
    expect(() => ev.ok).toThrow(/not been triggered/);
    expect(ev.triggered).toBe(false);
    ev.succeed(5);
    expect(ev.triggered).toBe(true);
    expect(ev.processed).toBe(false);
    sim.run();
    expect(ev.processed).toBe(true);
    expect(ev.value).toBe(5);
  });

  it('a failed event nobody handles rethrows when processed', () => {
    const sim = new Simulation();
    const boom = new Error('boom');
    sim.event().fail(boom);
    expect(() => sim.run()).toThrow(boom);
  });

  it('a defused failed event does not rethrow', () => {
    const sim = new Simulation();
    const ev = sim.event().fail(new Error('ignored'));
    ev.defused = true;
    expect(() => sim.run()).not.toThrow();
  });

  it('trigger copies the outcome of another event', () => {
    const sim = new Simulation();
    const a = sim.event<number>().succeed(4);
    const b = sim.event<number>();
    expect(() => b.trigger(sim.event())).toThrow(/not been triggered/);
    b.trigger(a);
    sim.run();
    expect(b.value).toBe(4);
  });
});

describe('Processes', () => {
  it('returns a value and can be waited on by another process', () => {
    const sim = new Simulation();
    const child = sim.process(function* () {
      yield sim.timeout(2);
      return 7;
    });
    let got: unknown;
    sim.process(function* () {
      got = yield child;
    });
    sim.run();
    expect(got).toBe(7);
    expect(child.isAlive).toBe(false);
    expect(child.value).toBe(7);
  });

  it('a failed event is thrown at the yield and can be caught', () => {
    const sim = new Simulation();
    const ev = sim.event();
    let caught: unknown;
    sim.process(function* () {
      try {
        yield ev;
      } catch (e) {
        caught = e;
      }
    });
    sim.schedule(1, () => ev.fail(new Error('sensor lost')));
    sim.run();
    expect((caught as Error).message).toBe('sensor lost');
  });

  it('a process that throws fails, and the error surfaces if nobody waits on it', () => {
    const sim = new Simulation();
    sim.process(function* () {
      yield sim.timeout(1);
      throw new Error('model bug');
    });
    expect(() => sim.run()).toThrow('model bug');
  });

  it('runs an iterator written by hand (not a native generator) through its own next and throw', () => {
    const sim = new Simulation();
    const received: unknown[] = [];
    const failing = sim.event();
    let step = 0;
    const iterator = {
      next(value: unknown): IteratorResult<Event<unknown>, string> {
        received.push(value);
        step++;
        if (step === 1) return { done: false, value: sim.timeout(2, 'tick') };
        if (step === 2) return { done: false, value: failing };
        return { done: true, value: 'unreachable' };
      },
      throw(error: unknown): IteratorResult<Event<unknown>, string> {
        received.push((error as Error).message);
        return { done: true, value: 'recovered' };
      },
      return(): IteratorResult<Event<unknown>, string> {
        return { done: true, value: 'returned' };
      },
      [Symbol.iterator]() {
        return this;
      },
    };
    const p = sim.process(iterator as unknown as Generator<Event<unknown>, string>);
    sim.schedule(3, () => failing.fail(new Error('sensor lost')));
    sim.run();
    expect(received).toEqual([undefined, 'tick', 'sensor lost']);
    expect(p.value).toBe('recovered');
    expect(sim.now).toBe(3);
  });

  it('yielding a non-event throws a clear error into the generator', () => {
    const sim = new Simulation();
    let caught: unknown;
    sim.process(
      function* () {
        try {
          yield { at: 42 } as unknown as Event;
        } catch (e) {
          caught = e;
        }
      },
      { name: 'bad' },
    );
    sim.run();
    expect(caught).toBeInstanceOf(TwinkitError);
    expect((caught as Error).message).toMatch(
      /Process\(bad\) yielded \{.*\}, which is neither an Event nor a delay/,
    );
  });

  it('yielding an already processed event resumes at once with its value', () => {
    const sim = new Simulation();
    const t = sim.timeout(1, 'early');
    const got: unknown[] = [];
    sim.process(function* () {
      yield sim.timeout(5);
      got.push(yield t, sim.now);
    });
    sim.run();
    expect(got).toEqual(['early', 5]);
  });

  it('interrupt throws an Interrupt with the cause at the current yield', () => {
    const sim = new Simulation();
    const log: unknown[] = [];
    const worker = sim.process(function* () {
      try {
        yield sim.timeout(10);
        log.push('finished');
      } catch (e) {
        if (!(e instanceof Interrupt)) throw e;
        log.push(['interrupted', sim.now, e.cause]);
        yield sim.timeout(1);
        log.push(['resumed', sim.now]);
      }
    });
    sim.schedule(3, () => worker.interrupt('breakdown'));
    sim.run();
    expect(log).toEqual([
      ['interrupted', 3, 'breakdown'],
      ['resumed', 4],
    ]);
  });

  it('an uncaught interrupt fails the process', () => {
    const sim = new Simulation();
    const p = sim.process(function* () {
      yield sim.timeout(10);
    });
    sim.schedule(1, () => p.interrupt('stop'));
    expect(() => sim.run()).toThrow(Interrupt);
  });

  it('cannot interrupt a finished process or itself', () => {
    const sim = new Simulation();
    const done = sim.process(function* () {
      yield sim.timeout(1);
    });
    sim.run();
    expect(() => done.interrupt()).toThrow(/has terminated/);
    let error: unknown;
    const self = sim.process(function* () {
      try {
        self.interrupt();
      } catch (e) {
        error = e;
      }
      yield sim.timeout(1);
    });
    sim.run();
    expect(String(error)).toMatch(/interrupt itself/);
  });

  it('starts processes before other events at the same time', () => {
    const sim = new Simulation();
    const log: string[] = [];
    sim.schedule(0, () => log.push('scheduled'));
    sim.process(function* () {
      log.push('process start');
      yield sim.timeout(0);
    });
    sim.run();
    expect(log).toEqual(['process start', 'scheduled']);
  });

  it('rejects a body that is not a generator', () => {
    const sim = new Simulation();
    expect(() => sim.process((() => 5) as never)).toThrow(/must be a generator or a generator function/);
  });
});

describe('Conditions', () => {
  it('allOf succeeds when all have succeeded, with their values', () => {
    const sim = new Simulation();
    const a = sim.timeout(1, 'a');
    const b = sim.timeout(3, 'b');
    let value: ConditionValue | undefined;
    sim.process(function* () {
      value = yield sim.allOf([a, b]);
    });
    sim.run();
    expect(sim.now).toBe(3);
    expect([...value!.values()]).toEqual(['a', 'b']);
  });

  it('anyOf succeeds with the first, and the map tells which happened', () => {
    const sim = new Simulation();
    const slow = sim.timeout(5, 'slow');
    const fast = sim.timeout(2, 'fast');
    let at = -1;
    let result: ConditionValue | undefined;
    sim.process(function* () {
      result = yield sim.anyOf([slow, fast]);
      at = sim.now;
    });
    sim.run();
    expect(at).toBe(2);
    expect(result!.has(fast)).toBe(true);
    expect(result!.has(slow)).toBe(false);
  });

  it('fails when an event fails, and an empty condition succeeds at once', () => {
    const sim = new Simulation();
    const bad = sim.event();
    let caught: unknown;
    sim.process(function* () {
      try {
        yield sim.allOf([sim.timeout(5), bad]);
      } catch (e) {
        caught = e;
      }
      const empty = yield sim.anyOf([]);
      return empty;
    });
    sim.schedule(1, () => bad.fail(new Error('bad')));
    sim.run();
    expect((caught as Error).message).toBe('bad');
  });

  it('rejects items that are not events of this simulation', () => {
    const sim = new Simulation();
    const other = new Simulation();
    expect(() => sim.allOf([other.timeout(1)])).toThrow(/another simulation/);
    expect(() => sim.anyOf([5 as never])).toThrow(/every item must be an Event, got 5/);
  });
});

describe('Simulation options', () => {
  it('validates seed, startTime and replication', () => {
    expect(() => new Simulation({ seed: Number.NaN })).toThrow(
      /seed must be a finite number or a string, got NaN/,
    );
    expect(() => new Simulation({ startTime: Number.POSITIVE_INFINITY })).toThrow(/startTime/);
    expect(() => new Simulation({ replication: 1.5 })).toThrow(
      /replication must be an integer >= 0, got 1.5/,
    );
  });
});

describe('typing', () => {
  it('events and processes are covariant in their value type', () => {
    const sim = new Simulation();
    // These assignments are checked by `npm run typecheck`: a typed event fits where any event is expected.
    const typed: Event<unknown> = sim.event<string>();
    const processes: Event<unknown>[] = [
      sim.process(function* () {
        yield sim.timeout(1);
        return 5;
      }),
    ];
    expect(typed.triggered).toBe(false);
    expect(processes).toHaveLength(1);
  });
});

describe('onStep', () => {
  it('reports every processed event with its kind and process, and costs nothing once removed', () => {
    const sim = new Simulation();
    const seen: string[] = [];
    const stop = sim.onStep((s) => seen.push(`${s.time} ${s.kind} ${s.description} ${s.process ?? '-'}`));
    const ev = sim.event();
    sim.process(
      function* () {
        yield sim.timeout(2);
        yield ev;
      },
      { name: 'worker' },
    );
    sim.schedule(3, () => ev.succeed('go'));
    sim.run();
    expect(seen).toEqual([
      '0 process-start Process(worker) worker',
      '2 timeout Timeout(2) worker',
      '3 call scheduled call -',
      '3 event Event worker',
    ]);
    stop();
    sim.schedule(1, () => {});
    sim.run();
    expect(seen).toHaveLength(4);
    expect(() => sim.onStep(5 as never)).toThrow(/listener must be a function/);
  });
});
