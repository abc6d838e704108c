import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetworkSpace } from './network-space';

interface Token {
  id: number;
}

describe('NetworkSpace', () => {
  it('visits the agents on adjacent nodes exactly (against the edge list)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 15 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (nodes, directed, rawEdges, homes) => {
          const edges: [number, number][] = [];
          const seen = new Set<string>();
          for (const [a, b] of rawEdges) {
            const from = a % nodes;
            const to = b % nodes;
            const key = directed ? `${from}>${to}` : `${Math.min(from, to)}-${Math.max(from, to)}`;
            if (from === to || seen.has(key)) continue;
            seen.add(key);
            edges.push([from, to]);
          }
          const net = new NetworkSpace<Token>({ nodes, edges, directed });
          const agents = homes.map((h, id) => {
            const t = { id };
            net.place(t, h % nodes);
            return t;
          });
          for (const agent of agents) {
            const node = net.nodeOf(agent);
            const adjacent = new Set(
              edges.flatMap(([a, b]) => (a === node ? [b] : !directed && b === node ? [a] : [])),
            );
            const expected = agents.filter((o) => adjacent.has(net.nodeOf(o))).map((o) => o.id);
            const got = net.neighbors(agent).map((o) => o.id);
            expect(got.sort((p, q) => p - q)).toEqual(expected.sort((p, q) => p - q));
          }
        },
      ),
      { numRuns: 300, seed: 9 },
    );
  });

  it('moves, removes and refuses bad input without changing the graph', () => {
    const net = new NetworkSpace<Token>({
      nodes: 4,
      edges: [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
      occupancy: 'single',
    });
    const a = { id: 0 };
    const b = { id: 1 };
    net.place(a, 0);
    net.place(b, 2);
    expect(() => net.moveTo(a, 2)).toThrow(/node 2 of a single-occupancy network already holds agent #1/);
    expect(net.nodeOf(a)).toBe(0);
    net.moveTo(a, 1);
    expect(net.agentsAt(0)).toEqual([]);
    expect(net.neighbors(a).map((t) => t.id)).toEqual([1]);
    expect(() => net.moveTo(a, 4)).toThrow(/node must be an integer in \[0, 3\], got 4/);
    expect(() => net.addEdge(1, 0)).toThrow(/already exists/);
    expect(() => net.addEdge(2, 2)).toThrow(/two different nodes/);
    expect(net.hopDistance(0, 3)).toBe(3);
    net.remove(b);
    expect(net.has(b)).toBe(false);
    expect(() => net.nodeOf(b)).toThrow(/not on this network/);
    expect(net.agentCount).toBe(1);
    const isolated = new NetworkSpace({ nodes: 3, edges: [[0, 1]] });
    expect(isolated.hopDistance(0, 2)).toBe(-1);
    expect(isolated.randomNeighborNode(2, { next: () => 0.5 })).toBe(-1);
  });
});
