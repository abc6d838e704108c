/**
 * The outflows of non-negative stocks (XMILE 1.0 sections 3.6.2 and 4.2), between resolving and
 * ordering. Each outflow of a `<non_negative/>` stock is split into its requested value (its
 * equation) and its value, which is the requested value limited, in the stock's outflow order
 * (outflow priority: the order the stock lists them), to what the stock holds over one step:
 *
 *     available = stock / DT + inflows (+ the size of any negative outflow)
 *     outflow_k = min(requested_k, max(0, available - outflow_1 - ... - outflow_k-1))  (requested_k > 0)
 *
 * The limited value is the flow's value: the one equations read, results report and the stocks
 * receive, so what leaves one stock is exactly what reaches the next. Stocks are limited upstream
 * first, so a downstream stock counts the limited inflow.
 */
import type { Node } from './nodes';
import type { Compiler } from './resolve';

/** One non-negative stock's outflows, for the integrators' end-of-step check. @internal */
export interface OutflowLimit {
  /** The stock's slot. */
  stock: number;
  /** Slots of the limited outflows, in priority order. */
  outflows: Int32Array;
  /** Slot of the stock each outflow fills (-1: none, the flow leaves the model). */
  to: Int32Array;
}

/** What the limits stage gives the emit stage. @internal */
export interface LimitPlan {
  /** Per non-negative stock, upstream first (node ids; slots are filled in after slot assignment). */
  stocks: { stock: Node; outflows: Node[]; to: (Node | null)[] }[];
}

/**
 * Rewrites the outflows of non-negative stocks into request + limited value (see the file header).
 * A flow that drains several stocks (a scalar flow out of an arrayed stock) is not limited: each
 * element then is only held at zero after the step.
 */
export function limitOutflows(compiler: Compiler): LimitPlan {
  const nodes = compiler.nodes;
  const stocks = nodes.filter((n) => n.kind === 'stock' && n.nonNegative && n.def !== null);
  if (stocks.length === 0) return { stocks: [] };
  // Which stocks each flow drains and fills.
  const drains = new Map<number, Node[]>();
  const fills = new Map<number, Node[]>();
  for (const n of nodes) {
    if (n.kind !== 'stock') continue;
    for (const f of n.outflows) drains.set(f, [...(drains.get(f) ?? []), n]);
    for (const f of n.inflows) fills.set(f, [...(fills.get(f) ?? []), n]);
  }
  const limitedBy = new Map<number, Node>(); // flow id -> the stock that limits it
  for (const s of stocks) {
    for (const f of s.outflows) {
      if (drains.get(f)!.length === 1 && !limitedBy.has(f)) limitedBy.set(f, s);
    }
  }
  // Upstream first: a stock after the stocks that limit its inflows (depth first; a loop of
  // non-negative stocks is cut where it closes, and that inflow is read as requested).
  const ordered: Node[] = [];
  const state = new Map<number, number>(); // 1 visiting, 2 done
  const staleInflows = new Set<string>();
  const visit = (s: Node): void => {
    state.set(s.id, 1);
    for (const f of s.inflows) {
      const up = limitedBy.get(f);
      if (!up || up === s) continue;
      const st = state.get(up.id);
      if (st === 1) staleInflows.add(`${s.id}:${f}`);
      else if (st === undefined) visit(up);
    }
    state.set(s.id, 2);
    ordered.push(s);
  };
  for (const s of stocks) if (!state.has(s.id)) visit(s);

  const plan: LimitPlan = { stocks: [] };
  for (const s of ordered) {
    const outflows = s.outflows.filter((f) => limitedBy.get(f) === s).map((f) => nodes[f]!);
    if (outflows.length === 0) continue;
    const limit = compiler.newNode({
      kind: 'internal',
      key: '#limit',
      name: `outflow limit of ${s.name}`,
      dynamic: true,
      deps: new Set([s.id]),
    });
    const requests: Node[] = [];
    for (const f of outflows) {
      const request = compiler.newNode({
        kind: 'internal',
        key: '#request',
        name: `requested ${f.name}`,
        expr: f.expr,
        deps: f.deps,
        dynamic: f.dynamic,
        literal: f.literal,
        def: null,
      });
      requests.push(request);
      f.request = request.id;
      f.expr = `v[@${request.id}]`;
      f.deps = new Set([limit.id]);
      f.literal = false;
      f.dynamic = true;
      f.statement = '';
      limit.deps.add(request.id);
    }
    // What the stock holds over one step: its value, its inflows and its negative outflows.
    const adds = [`v[@${s.id}] / c.dt`];
    for (const f of s.inflows) {
      const read = staleInflows.has(`${s.id}:${f}`) && nodes[f]!.request >= 0 ? nodes[f]!.request : f;
      adds.push(`v[@${read}]`);
      limit.deps.add(read);
    }
    for (const f of s.outflows) {
      const node = nodes[f]!;
      const read = node.request >= 0 && limitedBy.get(f) === s ? node.request : f;
      if (read === f) limit.deps.add(f);
      // A uniflow's requested value is never negative.
      if (!node.nonNegative) adds.push(`(v[@${read}] < 0 ? -v[@${read}] : 0)`);
    }
    const parts = [`{ let a$ = ${adds.join(' + ')}; let q$ = 0;`];
    outflows.forEach((f, k) => {
      parts.push(
        `q$ = v[@${requests[k]!.id}]; if (q$ > 0) { if (q$ > a$) q$ = a$ > 0 ? a$ : 0; a$ -= q$; } v[@${f.id}] = q$;`,
      );
    });
    parts.push('}');
    limit.statement = parts.join(' ');
    plan.stocks.push({
      stock: s,
      outflows,
      to: outflows.map((f) => {
        const into = fills.get(f.id);
        return into && into.length === 1 ? into[0]! : null;
      }),
    });
  }
  return plan;
}
