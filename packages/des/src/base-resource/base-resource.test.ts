import { Simulation, TwinkitError } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { BaseResource, type BaseResourceOptions, ResourceEvent } from './base-resource';

class TokenPut extends ResourceEvent<undefined> {
  constructor(resource: Tokens) {
    super(resource, 'put');
  }
}
class TokenGet extends ResourceEvent<number> {
  constructor(resource: Tokens) {
    super(resource, 'get');
  }
}

/** A minimal resource written on the extension point: tokens numbered in put order, taken newest first. */
class Tokens extends BaseResource<TokenPut, TokenGet> {
  private readonly stack: number[] = [];
  private next = 0;
  constructor(sim: Simulation, options: BaseResourceOptions = {}) {
    super(sim, 'Tokens', options, 0, 3);
  }
  put(): TokenPut {
    const event = new TokenPut(this);
    this.submit(event);
    return event;
  }
  get(): TokenGet {
    const event = new TokenGet(this);
    this.submit(event);
    return event;
  }
  protected override doPut(event: TokenPut): boolean {
    if (this.stack.length >= 3) return false;
    this.stack.push(this.next++);
    event.succeed(undefined);
    return true;
  }
  protected override doGet(event: TokenGet): boolean {
    const token = this.stack.pop();
    if (token === undefined) return false;
    event.succeed(token);
    return true;
  }
  protected override inUseLevel(): number {
    return this.stack.length;
  }
}

/** A subclass that forgot doGet. */
class PutOnly extends BaseResource<TokenPut, TokenGet> {
  constructor(sim: Simulation) {
    super(sim, 'PutOnly', {}, 0, 1);
  }
  get(): TokenGet {
    const event = new TokenGet(this as unknown as Tokens);
    this.submit(event);
    return event;
  }
  protected override inUseLevel(): number {
    return 0;
  }
}

describe('BaseResource (the extension point)', () => {
  it('gives a subclass that implements doPut/doGet waiting lines, settling and statistics', () => {
    const sim = new Simulation();
    const tokens = new Tokens(sim, { name: 'tokens' });
    const got: number[] = [];
    sim.process(function* () {
      for (let i = 0; i < 4; i++) got.push((yield tokens.get()) as number);
    });
    sim.process(function* () {
      yield sim.timeout(1);
      for (let i = 0; i < 5; i++) yield tokens.put(); // each is taken by a waiting get, or kept
    });
    sim.run();
    expect(got).toEqual([0, 1, 2, 3]);
    expect(tokens.stats.arrivals).toBe(4);
    expect(tokens.stats.departures).toBe(4);
    expect(tokens.stats.puts).toBe(5);
    expect(tokens.stats.waitingTime.mean).toBe(1 / 4); // only the first get waited (1)
    expect(tokens.stats.inUse.current).toBe(1);
  });

  it('names the class and the missing hook when a subclass does not implement it', () => {
    const sim = new Simulation();
    const broken = new PutOnly(sim);
    expect(() => broken.get()).toThrow(TwinkitError);
    expect(() => broken.get()).toThrow('PutOnly.doGet(event) is not implemented');
  });

  it('rejects a missing simulation and bad names', () => {
    expect(() => new Tokens(undefined as unknown as Simulation)).toThrow(/sim must be a Simulation/);
    expect(() => new Tokens(new Simulation(), { name: '' })).toThrow(/name must be a non-empty string/);
  });
});
