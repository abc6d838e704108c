import { Simulation, TwinkitError } from '@twinkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Agent, AgentModel } from '../agent-model/agent-model';

class Person extends Agent {
  constructor(
    model: AgentModel,
    public wealth: number,
    public group: 'a' | 'b',
  ) {
    super(model);
  }
  grow(): void {
    this.wealth += 1;
  }
  give(amount: number, factor: number): void {
    this.wealth = (this.wealth - amount) * factor;
  }
}
class Robot extends Agent {}

function setup(n = 6) {
  const model = new AgentModel(new Simulation({ seed: 3 }));
  const people = Array.from({ length: n }, (_, i) => new Person(model, i * 10, i % 2 === 0 ? 'a' : 'b'));
  return { model, people };
}

describe('AgentSet', () => {
  it('shuffles uniformly over all 24 orders of 4 agents (chi-square) without changing the set', () => {
    const { model } = setup(4);
    const set = model.agents;
    const before = set.map((a) => a.id);
    const counts = new Map<string, number>();
    const draws = 48_000;
    for (let i = 0; i < draws; i++) {
      const key = set
        .shuffle()
        .map((a) => a.id)
        .join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(set.map((a) => a.id)).toEqual(before);
    expect(counts.size).toBe(24);
    const expected = draws / 24;
    const chi2 = [...counts.values()].reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
    // 23 degrees of freedom: the 0.999 quantile is 49.73.
    expect(chi2).toBeLessThan(49.73);
  });

  it('is safe to shuffle while iterating, and skips agents removed meanwhile', () => {
    const { model, people } = setup(5);
    const set = model.agents;
    const seen: number[] = [];
    for (const agent of set) {
      set.shuffle();
      seen.push(agent.id);
      if (agent.id === 1) people[3]!.remove();
    }
    expect(seen).toEqual([0, 1, 2, 4]);
    expect(set.size).toBe(4);
  });

  it('selects, sorts, maps, aggregates, groups, counts and samples', () => {
    const { model, people } = setup(6);
    new Robot(model);
    const persons = model.agentsOfType(Person);
    expect(persons.size).toBe(6);
    expect(model.agents.select({ type: Robot }).size).toBe(1);
    const rich = persons.select((p) => p.wealth >= 30);
    expect(rich.map((p) => p.wealth)).toEqual([30, 40, 50]);
    expect(persons.select({ filter: (p) => p.group === 'a', limit: 2 }).map((p) => p.id)).toEqual([0, 2]);
    expect(persons.sortBy((p) => p.wealth, { descending: true }).map((p) => p.wealth)).toEqual([
      50, 40, 30, 20, 10, 0,
    ]);
    expect(persons.sortBy((p) => p.group).map((p) => p.id)).toEqual([0, 2, 4, 1, 3, 5]); // stable
    expect(persons.agg((p) => p.wealth, 'sum')).toBe(150);
    expect(persons.agg((p) => p.wealth, 'mean')).toBe(25);
    expect(persons.agg((p) => p.wealth, 'min')).toBe(0);
    expect(persons.agg((p) => p.wealth, 'max')).toBe(50);
    expect(
      persons.agg(
        (p) => p.wealth,
        (v) => v.length,
      ),
    ).toBe(6);
    const groups = persons.groupBy((p) => p.group);
    expect([...groups.keys()]).toEqual(['a', 'b']);
    expect(groups.get('b')!.map((p) => p.id)).toEqual([1, 3, 5]);
    expect(persons.count((p) => p.group === 'a')).toBe(3);
    persons.do('grow');
    persons.do((p) => {
      p.wealth *= 2;
    });
    expect(people.map((p) => p.wealth)).toEqual([2, 22, 42, 62, 82, 102]);
    persons.do('give', 2, 0.5);
    expect(people.map((p) => p.wealth)).toEqual([0, 10, 20, 30, 40, 50]);
    const sample = persons.sample(3);
    expect(sample.size).toBe(3);
    expect(new Set(sample.map((p) => p.id)).size).toBe(3);
    expect(persons.find((p) => p.wealth > 25)?.id).toBe(3);
    expect(persons.random()).toBeInstanceOf(Person);
  });

  it('samples each member with probability k/n', () => {
    const { model } = setup(5);
    const set = model.agents;
    const hits = new Array<number>(5).fill(0);
    const draws = 20_000;
    for (let i = 0; i < draws; i++) for (const a of set.sample(2)) hits[a.id]!++;
    const expected = (draws * 2) / 5;
    const chi2 = hits.reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(18.47); // 4 degrees of freedom, 0.999 quantile
  });

  it('explains bad requests', () => {
    const { model } = setup(3);
    const set = model.agents;
    expect(() => set.sample(4)).toThrow(/AgentSet.sample\(k\): k must be an integer in \[0, 3\]/);
    expect(() => set.select({ type: Robot }).agg((a) => a.id, 'mean')).toThrow(
      /the mean of an empty set is undefined/,
    );
    new Robot(model);
    expect(() => model.agents.do('grow' as never)).toThrow(TwinkitError);
    expect(() => model.agents.do('grow' as never)).toThrow(
      /every member must have a method grow\(\), got "Robot#3"/,
    );
  });
});

describe('AgentSet (property)', () => {
  it('shuffles and samples into permutations and subsets, sorts stably, and never changes the source', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }), fc.nat(), (wealths, seed) => {
        const model = new AgentModel(new Simulation({ seed }));
        const people = wealths.map((w, i) => new Person(model, w, i % 2 === 0 ? 'a' : 'b'));
        const set = model.agentsOfType(Person);
        const ids = set.map((p) => p.id);
        const shuffled = set.shuffle().map((p) => p.id);
        expect([...shuffled].sort((x, y) => x - y)).toEqual(ids);
        const k = seed % (people.length + 1);
        const sample = set.sample(k).map((p) => p.id);
        expect(new Set(sample).size).toBe(k);
        for (const id of sample) expect(ids).toContain(id);
        const sorted = set.sortBy((p) => p.wealth).toArray();
        for (let i = 1; i < sorted.length; i++) {
          const prev = sorted[i - 1]!;
          const cur = sorted[i]!;
          expect(prev.wealth < cur.wealth || (prev.wealth === cur.wealth && prev.id < cur.id)).toBe(true);
        }
        expect(set.select((p) => p.wealth > 2).size).toBe(wealths.filter((w) => w > 2).length);
        expect(set.map((p) => p.id)).toEqual(ids);
      }),
      { numRuns: 200, seed: 4 },
    );
  });
});
