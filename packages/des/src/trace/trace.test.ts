import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulation } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { Container } from '../container';
import { fileTraceSink } from '../node';
import { Resource } from '../resource';
import { formatTraceRecord, startTrace, type TraceRecord } from './trace';

function bank(sim: Simulation): Resource {
  const counter = new Resource(sim, { capacity: 1, name: 'counter' });
  for (const [name, at] of [
    ['ann', 0],
    ['bob', 1],
  ] as const) {
    sim.process(
      function* () {
        yield sim.timeout(at);
        const req = counter.request();
        yield req;
        yield sim.timeout(2);
        counter.release(req);
      },
      { name },
    );
  }
  return counter;
}

describe('startTrace', () => {
  it('with steps: true also records every calendar event, interleaved with resource events', () => {
    const sim = new Simulation();
    bank(sim);
    const trace = startTrace(sim, { steps: true });
    sim.run();
    const lines = trace.lines();
    expect(lines.slice(0, 6)).toEqual([
      't=0 step [ann] process-start event="Process(ann)"',
      't=0 step [bob] process-start event="Process(bob)"',
      't=0 step [ann] timeout event="Timeout(0)"',
      't=0 grant counter [ann] request wait=0',
      't=0 step [ann] event event="Request(counter, granted)"',
      't=1 step [bob] timeout event="Timeout(1)"',
    ]);
    expect(lines.filter((l) => l.includes(' step ')).length).toBeGreaterThan(6);
    trace.stop();
    expect(() => startTrace(sim, { steps: 'yes' as never })).toThrow(/steps must be true or false/);
  });

  it('records every resource event with time, kind, process and resource', () => {
    const sim = new Simulation();
    bank(sim);
    const trace = startTrace(sim);
    sim.run();
    expect(trace.lines()).toEqual([
      't=0 grant counter [ann] request wait=0',
      't=1 request counter [bob] request',
      't=2 release counter [ann] request held=2 busy=0',
      't=2 grant counter [bob] request wait=1',
      't=4 release counter [bob] request held=2 busy=0',
    ]);
    expect(trace.records[1]).toEqual({
      time: 1,
      kind: 'request',
      process: 'bob',
      resource: 'counter',
      operation: 'request',
      detail: {},
    });
  });

  it('filters by kind, resource and predicate, and stops', () => {
    const sim = new Simulation();
    bank(sim);
    const tank = new Container(sim, { initial: 1, name: 'tank' });
    sim.process(
      function* () {
        yield tank.get(1);
        yield tank.get(1);
      },
      { name: 'driver' },
    );
    sim.schedule(3, () => tank.setLevel(5));
    const grants = startTrace(sim, { kinds: ['grant'] });
    const tankOnly = startTrace(sim, { resources: ['tank'] });
    const bobOnly = startTrace(sim, { filter: (r) => r.process === 'bob' });
    sim.run({ until: 1.5 });
    bobOnly.stop();
    expect(bobOnly.recording).toBe(false);
    sim.run();
    expect(grants.records.every((r) => r.kind === 'grant')).toBe(true);
    expect(grants.records).toHaveLength(4);
    expect(tankOnly.lines()).toEqual([
      't=0 grant tank [driver] get amount=1 level=0 wait=0',
      't=0 request tank [driver] get amount=1 level=0',
      't=3 set tank [-] put level=5',
      't=3 grant tank [driver] get amount=1 level=4 wait=3',
    ]);
    expect(bobOnly.lines()).toEqual(['t=1 request counter [bob] request']);
  });

  it('sends records to a sink, for example a file, as they happen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinkit-des-trace-'));
    try {
      const sim = new Simulation();
      bank(sim);
      const path = join(dir, 'trace.jsonl');
      const sink = fileTraceSink(path, { format: 'jsonl' });
      const seen: TraceRecord[] = [];
      const trace = startTrace(sim, {
        sink: (r) => {
          seen.push(r);
          sink(r);
        },
      });
      sim.run();
      trace.stop();
      sink.close();
      expect(trace.records).toEqual([]); // a sink without keep: true keeps nothing in memory
      const lines = readFileSync(path, 'utf8').trim().split('\n');
      expect(lines.map((l) => JSON.parse(l) as TraceRecord)).toEqual(seen);
      expect(seen.map(formatTraceRecord)[0]).toBe('t=0 grant counter [ann] request wait=0');
      expect(() => sink(seen[0]!)).toThrow(/after close\(\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown kinds and non-function sinks', () => {
    const sim = new Simulation();
    expect(() => startTrace(sim, { kinds: ['grants' as never] })).toThrow(/every kind must be one of/);
    expect(() => startTrace(sim, { sink: 'out.txt' as never })).toThrow(/sink must be a function/);
  });
});
