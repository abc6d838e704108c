import { Simulation } from '@twinkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Agent, AgentModel } from '../agent-model/agent-model';
import { DataCollector } from './data-collector';
import { DataTable } from './data-table';

class Counter extends Agent {
  value = 0;
  label = 'x';
  step(): void {
    this.value += this.id + 1;
  }
}

describe('DataCollector', () => {
  it('samples model and agent reporters at ticks into column-wise tables', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    for (let i = 0; i < 3; i++) new Counter(model);
    const data = new DataCollector(model, {
      model: { total: (m) => m.agents.agg((a) => (a as Counter).value, 'sum'), n: (m) => m.agentCount },
      agents: {
        value: (a: Counter) => a.value,
        label: (a: Counter) => a.label,
        big: (a: Counter) => a.value > 3,
      },
      agentType: Counter,
    });
    data.collect(); // the initial state at t = 0
    model.tick({ activation: 'sequential', ticks: 2, after: () => data.collect() });
    sim.run();
    expect(data.sampleCount).toBe(3);
    expect(data.modelTable.toJSON()).toEqual({ time: [0, 1, 2], total: [0, 6, 12], n: [3, 3, 3] });
    expect(data.agentTable.length).toBe(9);
    expect(data.agentTable.column('value')).toEqual([0, 0, 0, 1, 2, 3, 2, 4, 6]);
    expect(data.agentTable.numbers('agentId')).toEqual(Float64Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2]));
    expect(data.agentTable.row(8)).toEqual({ time: 2, agentId: 2, value: 6, label: 'x', big: 1 });
    expect(data.modelTable.toCSV()).toBe('time,total,n\n0,0,3\n1,6,3\n2,12,3\n');
  });

  it('samples every interval on the shared clock, after other events at the same time', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    new Counter(model);
    const data = new DataCollector(model, { model: { v: (m) => (m.getAgent(0) as Counter).value } });
    model.tick({ activation: 'sequential', interval: 1 });
    const stop = data.every(2.5);
    sim.run({ until: 5 });
    stop();
    sim.run({ until: 10 });
    expect(data.modelTable.toJSON()).toEqual({ time: [0, 2.5, 5], v: [0, 2, 5] });
  });

  it('streams a million agent-steps through a bounded buffer', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    for (let i = 0; i < 1000; i++) new Counter(model);
    let rows = 0;
    let chunks = 0;
    let sum = 0;
    let maxChunk = 0;
    const data = new DataCollector(model, {
      agents: { value: (a: Counter) => a.value },
      agentStorage: {
        chunkRows: 50_000,
        sink: (chunk) => {
          chunks++;
          rows += chunk.length;
          maxChunk = Math.max(maxChunk, chunk.length);
          for (const v of chunk.numbers('value')) sum += v;
        },
      },
    });
    model.tick({ activation: 'sequential', ticks: 1000, after: () => data.collect() });
    sim.run();
    data.flush();
    expect(rows).toBe(1_000_000);
    expect(chunks).toBe(20);
    expect(maxChunk).toBe(50_000);
    expect(data.agentTable.length).toBe(0);
    // value of agent i after t ticks is t (i + 1): sum over t = 1..1000 and i = 0..999.
    expect(sum).toBe(((1000 * 1001) / 2) * ((1000 * 1001) / 2));
  });
});

describe('DataCollector input checks', () => {
  it('refuses reserved names, non-functions and bad intervals', () => {
    const model = new AgentModel(new Simulation({ seed: 1 }));
    expect(() => new DataCollector(model, { model: { time: () => 1 } })).toThrow(
      /reporter names time and agentId are used by the collector itself, got "time". Rename the reporter./,
    );
    expect(() => new DataCollector(model, { agents: { x: 3 as never } })).toThrow(
      /reporter x must be a function/,
    );
    const data = new DataCollector(model, { model: { n: (m) => m.agentCount } });
    expect(() => data.every(0)).toThrow(/interval must be a finite number > 0, got 0/);
    expect(() => data.every(1, { start: -1 })).toThrow(/start must be a finite time >= now \(0\)/);
  });
});

describe('DataTable', () => {
  it('keeps the latest rows of a window and counts the dropped ones', () => {
    const table = new DataTable(['t', 'v'], { window: 3 });
    for (let i = 0; i < 7; i++) table.append([i, i * i]);
    expect(table.toJSON()).toEqual({ t: [4, 5, 6], v: [16, 25, 36] });
    expect(table.droppedRows).toBe(4);
  });

  it('refuses to grow past maxRows with a remedy, and refuses mixed or missing values', () => {
    const table = new DataTable(['a'], { maxRows: 2 });
    table.append([1]);
    table.append([2]);
    expect(() => table.append([3])).toThrow(
      /holds its maximum of 2 rows. Keep the latest rows with \{ window: n \}/,
    );
    expect(table.length).toBe(2);
    const other = new DataTable(['a']);
    other.append([1]);
    expect(() => other.append(['x'])).toThrow(/a column that started numeric cannot take text/);
    expect(other.length).toBe(1);
    expect(() => other.append([undefined as unknown as number])).toThrow(
      /must be a number, boolean or string, got undefined/,
    );
    expect(() => new DataTable(['a', 'a'])).toThrow(/column names must be unique/);
  });

  it('quotes text in CSV as RFC 4180 asks', () => {
    const table = new DataTable(['name', 'x']);
    table.append(['a "b", c', 1.5]);
    expect(table.toCSV()).toBe('name,x\n"a ""b"", c",1.5\n');
    expect(table.toCSV({ header: false })).toBe('"a ""b"", c",1.5\n');
  });
});

describe('DataTable storage policies (property)', () => {
  it('holds exactly what a plain list would, for memory, window and streaming policies', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer(), fc.double({ noNaN: true })), { maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('memory', 'window', 'sink'),
        (rows, size, policy) => {
          const streamed: number[][] = [];
          const table = new DataTable(
            ['a', 'b'],
            policy === 'memory'
              ? {}
              : policy === 'window'
                ? { window: size }
                : {
                    chunkRows: size,
                    sink: (chunk) => {
                      const a = chunk.column('a') as number[];
                      const b = chunk.column('b') as number[];
                      for (let i = 0; i < chunk.length; i++) streamed.push([a[i]!, b[i]!]);
                    },
                  },
          );
          for (const row of rows) table.append(row);
          const held = Array.from({ length: table.length }, (_, i) => [table.row(i).a, table.row(i).b]);
          if (policy === 'memory') expect(held).toEqual(rows);
          if (policy === 'window') {
            expect(held).toEqual(rows.slice(Math.max(0, rows.length - size)));
            expect(table.droppedRows).toBe(Math.max(0, rows.length - size));
          }
          if (policy === 'sink') {
            expect(table.length).toBeLessThanOrEqual(size);
            table.flush();
            expect(streamed).toEqual(rows);
            expect(table.flushedRows).toBe(rows.length);
          }
        },
      ),
      { numRuns: 300, seed: 21 },
    );
  });
});
