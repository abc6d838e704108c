import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { checkAgent, IdIndex, type Locatable } from '../internal/id-index';
import { type RandomSource, randomIndex } from '../internal/random-source';

/** Options of a {@link NetworkSpace}. */
export interface NetworkSpaceOptions {
  /** Number of nodes, numbered 0 .. nodes - 1 (integer >= 1). */
  nodes: number;
  /** Edges as `[from, to]` pairs of node numbers. More can be added with {@link NetworkSpace.addEdge}. */
  edges?: ReadonlyArray<readonly [number, number]>;
  /** Whether edges have a direction (neighbours are then the successors); default `false`. */
  directed?: boolean;
  /** `'multiple'` (default) or `'single'` agent per node. */
  occupancy?: 'single' | 'multiple';
}

const NO_NODE = -1;
const EMPTY: readonly never[] = Object.freeze([]);

/**
 * Holds agents on the nodes of a graph (directed or undirected, single or multiple occupancy).
 * Neighbour queries visit adjacent nodes and the agents on them through callbacks; moving an agent
 * is O(1) on average (O(agents on the node) to unlink it).
 *
 * @example
 * ```ts
 * const net = new NetworkSpace<Person>({ nodes: 4, edges: [[0, 1], [1, 2], [2, 3]] });
 * net.place(alice, 1);
 * net.forEachNeighbor(alice, (other) => gossip(alice, other));
 * ```
 */
export class NetworkSpace<T extends Locatable = Locatable> {
  /** Number of nodes. */
  readonly nodeCount: number;
  /** Whether edges have a direction. */
  readonly directed: boolean;
  /** How many agents a node may hold. */
  readonly occupancy: 'single' | 'multiple';

  private readonly adjacency: number[][];
  private readonly occupants: (T[] | undefined)[];
  private readonly nodeOfId = new IdIndex(NO_NODE);
  private placedCount = 0;
  private edgeTotal = 0;
  private readonly buffer: T[] = [];

  /** Creates a graph with the given nodes and edges and no agents. */
  constructor(options: NetworkSpaceOptions) {
    const api = 'NetworkSpace(options)';
    rejectUnknownKeys(
      api,
      options,
      ['nodes', 'edges', 'directed', 'occupancy'],
      '{ nodes: 4, edges: [[0, 1]] }',
    );
    const nodes = options?.nodes;
    if (!Number.isInteger(nodes) || nodes < 1)
      throw invalidArgument(api, 'nodes must be an integer >= 1', nodes);
    const occupancy = options.occupancy ?? 'multiple';
    if (occupancy !== 'single' && occupancy !== 'multiple')
      throw invalidArgument(api, "occupancy must be 'single' or 'multiple'", occupancy);
    this.nodeCount = nodes;
    this.directed = options.directed ?? false;
    this.occupancy = occupancy;
    this.adjacency = Array.from({ length: nodes }, () => []);
    this.occupants = new Array<T[] | undefined>(nodes).fill(undefined);
    for (const [from, to] of options.edges ?? []) this.addEdge(from, to);
  }

  /** Number of edges. */
  get edgeCount(): number {
    return this.edgeTotal;
  }

  /** Number of agents on the graph. */
  get agentCount(): number {
    return this.placedCount;
  }

  /** Adds an edge (both directions when undirected); a repeated edge or a self-loop is an error. */
  addEdge(from: number, to: number): void {
    const api = 'NetworkSpace.addEdge(from, to)';
    this.checkNode(api, from);
    this.checkNode(api, to);
    if (from === to) throw invalidArgument(api, 'an edge must join two different nodes', [from, to]);
    if (this.adjacency[from]!.includes(to))
      throw new TwinkitError(`${api}: the edge ${from} -> ${to} already exists.`, {
        code: 'DUPLICATE',
        details: { from, to },
      });
    this.adjacency[from]!.push(to);
    if (!this.directed) this.adjacency[to]!.push(from);
    this.edgeTotal++;
  }

  /** Returns whether `to` is a neighbour of `from`. */
  hasEdge(from: number, to: number): boolean {
    this.checkNode('NetworkSpace.hasEdge(from, to)', from);
    return this.adjacency[from]!.includes(to);
  }

  /** Returns the neighbour nodes of a node (the graph's own array: do not change it). */
  neighborNodes(node: number): readonly number[] {
    this.checkNode('NetworkSpace.neighborNodes(node)', node);
    return this.adjacency[node]!;
  }

  /** Returns the number of neighbours of a node (out-degree when directed). */
  degree(node: number): number {
    this.checkNode('NetworkSpace.degree(node)', node);
    return this.adjacency[node]!.length;
  }

  /** Puts an agent that is not yet on the graph on a node. */
  place(agent: T, node: number): void {
    const api = 'NetworkSpace.place(agent, node)';
    checkAgent(api, agent);
    this.checkNode(api, node);
    const current = this.nodeOfId.get(agent.id);
    if (current !== NO_NODE)
      throw new TwinkitError(
        `${api}: agent #${agent.id} is already on node ${current}. Use net.moveTo(agent, node) to move it.`,
        { code: 'DUPLICATE', details: { id: agent.id } },
      );
    this.checkFree(api, agent, node);
    this.add(agent, node);
    this.placedCount++;
  }

  /** Moves an agent on the graph to a node (any node: movement along edges is the model's rule). */
  moveTo(agent: T, node: number): void {
    const api = 'NetworkSpace.moveTo(agent, node)';
    const from = this.require(api, agent);
    this.checkNode(api, node);
    if (from === node) return;
    this.checkFree(api, agent, node);
    this.unlinkFrom(agent, from);
    this.add(agent, node);
  }

  /** Takes an agent off the graph. */
  remove(agent: T): void {
    const node = this.require('NetworkSpace.remove(agent)', agent);
    this.unlinkFrom(agent, node);
    this.nodeOfId.set(agent.id, NO_NODE);
    this.placedCount--;
  }

  /** Returns the node of an agent on the graph. */
  nodeOf(agent: T): number {
    return this.require('NetworkSpace.nodeOf(agent)', agent);
  }

  /** Returns whether the agent is on this graph. */
  has(agent: T): boolean {
    const node = this.nodeOfId.get(agent.id);
    return node !== NO_NODE && (this.occupants[node]?.includes(agent) ?? false);
  }

  /** Returns the agents on a node (the graph's own array: copy it before changing the graph). */
  agentsAt(node: number): readonly T[] {
    this.checkNode('NetworkSpace.agentsAt(node)', node);
    return this.occupants[node] ?? EMPTY;
  }

  /** Returns whether a node holds no agent. */
  isEmpty(node: number): boolean {
    this.checkNode('NetworkSpace.isEmpty(node)', node);
    return (this.occupants[node]?.length ?? 0) === 0;
  }

  /** Calls `visit` with every neighbour node of `node`. */
  forEachNeighborNode(node: number, visit: (node: number) => void): void {
    this.checkNode('NetworkSpace.forEachNeighborNode(node, visit)', node);
    const list = this.adjacency[node]!;
    for (let i = 0; i < list.length; i++) visit(list[i]!);
  }

  /** Calls `visit` with every agent on the neighbour nodes of an agent's node (or of a node number). */
  forEachNeighbor(center: T | number, visit: (agent: T) => void): void {
    const api = 'NetworkSpace.forEachNeighbor(center, visit)';
    let node: number;
    if (typeof center === 'number') {
      this.checkNode(api, center);
      node = center;
    } else node = this.require(api, center);
    const list = this.adjacency[node]!;
    for (let i = 0; i < list.length; i++) {
      const agents = this.occupants[list[i]!];
      if (agents !== undefined) for (let j = 0; j < agents.length; j++) visit(agents[j]!);
    }
  }

  /** Returns the agents on neighbour nodes in an array the graph reuses (valid until the next call). */
  neighbors(center: T | number): readonly T[] {
    const buffer = this.buffer;
    buffer.length = 0;
    this.forEachNeighbor(center, (agent) => buffer.push(agent));
    return buffer;
  }

  /** Draws a uniformly distributed node. */
  randomNode(rng: RandomSource): number {
    return randomIndex(rng, this.nodeCount);
  }

  /** Draws a uniformly distributed neighbour of a node, or returns -1 if it has none. */
  randomNeighborNode(node: number, rng: RandomSource): number {
    this.checkNode('NetworkSpace.randomNeighborNode(node, rng)', node);
    const list = this.adjacency[node]!;
    return list.length === 0 ? -1 : list[randomIndex(rng, list.length)]!;
  }

  /** Returns the number of edges on a shortest path between two nodes (breadth-first), or -1 if unreachable. */
  hopDistance(from: number, to: number): number {
    const api = 'NetworkSpace.hopDistance(from, to)';
    this.checkNode(api, from);
    this.checkNode(api, to);
    const distance = new Int32Array(this.nodeCount).fill(-1);
    const queue = new Int32Array(this.nodeCount);
    let headIndex = 0;
    let tail = 0;
    distance[from] = 0;
    queue[tail++] = from;
    while (headIndex < tail) {
      const node = queue[headIndex++]!;
      if (node === to) return distance[node]!;
      for (const next of this.adjacency[node]!) {
        if (distance[next] !== -1) continue;
        distance[next] = distance[node]! + 1;
        queue[tail++] = next;
      }
    }
    return -1;
  }

  private add(agent: T, node: number): void {
    const list = this.occupants[node];
    if (list === undefined) this.occupants[node] = [agent];
    else list.push(agent);
    this.nodeOfId.set(agent.id, node);
  }

  private unlinkFrom(agent: T, node: number): void {
    const list = this.occupants[node]!;
    const i = list.indexOf(agent);
    list[i] = list[list.length - 1]!;
    list.pop();
  }

  private checkFree(api: string, agent: T, node: number): void {
    if (this.occupancy === 'single' && (this.occupants[node]?.length ?? 0) > 0)
      throw new TwinkitError(
        `${api}: node ${node} of a single-occupancy network already holds agent #${this.occupants[node]![0]!.id}; cannot add agent #${agent.id}. Pick an empty node or use { occupancy: 'multiple' }.`,
        { code: 'INVALID_STATE', details: { node, id: agent.id } },
      );
  }

  private checkNode(api: string, node: number): void {
    if (!Number.isInteger(node) || node < 0 || node >= this.nodeCount)
      throw invalidArgument(api, `node must be an integer in [0, ${this.nodeCount - 1}]`, node);
  }

  private require(api: string, agent: T): number {
    checkAgent(api, agent);
    const node = this.nodeOfId.get(agent.id);
    if (node === NO_NODE)
      throw new TwinkitError(
        `${api}: agent #${agent.id} is not on this network. Place it first with net.place(agent, node).`,
        { code: 'NOT_FOUND', details: { id: agent.id } },
      );
    return node;
  }
}
