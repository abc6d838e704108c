/**
 * Stage 2 of the compiler: which values change while the model runs, the slots of the value
 * array (stocks first) and the evaluation orders (initial values, equations), with circular
 * definitions reported by the variables of the loop.
 */
import { ModelCompileError, type Node } from './nodes';

/** Stocks and PREVIOUS values: the state carried from one step to the next. @internal */
export function isState(n: Node): boolean {
  return n.kind === 'stock' || n.kind === 'previous';
}

/** Marks dynamic every value that reads time, a stock or a dynamic value (INIT values excepted). @internal */
export function propagateDynamic(nodes: Node[]): void {
  let changed = true;
  for (const n of nodes) if (isState(n)) n.dynamic = true;
  while (changed) {
    changed = false;
    for (const n of nodes) {
      if (n.dynamic || n.kind === 'initial') continue;
      for (const d of n.deps) {
        const dn = nodes[d]!;
        if (dn.dynamic && dn.kind !== 'initial') {
          n.dynamic = true;
          changed = true;
          break;
        }
      }
    }
  }
}

/** Assigns slots, stocks first; returns the stock and slot counts. @internal */
export function assignSlots(nodes: Node[]): { stockCount: number; slotCount: number } {
  let slot = 0;
  for (const n of nodes) if (n.kind === 'stock') n.slot = slot++;
  const stockCount = slot;
  for (const n of nodes) if (n.kind !== 'stock') n.slot = slot++;
  return { stockCount, slotCount: slot };
}

/**
 * Orders `list` so that each node comes after the nodes `depsOf` names (depth first, in list
 * order); throws a ModelCompileError naming the loop for a circular definition. @internal
 */
export function order(all: Node[], list: Node[], depsOf: (n: Node) => number[], what: string): Node[] {
  const state = new Map<number, number>(); // 1 visiting, 2 done
  const out: Node[] = [];
  const stack: Node[] = [];
  const visit = (n: Node): void => {
    const st = state.get(n.id);
    if (st === 2) return;
    if (st === 1) {
      const start = stack.indexOf(n);
      const cycle = [...stack.slice(start), n].map((x) => (x.def ? x.name : x.name));
      throw new ModelCompileError(
        `circular definition in the ${what}: ${cycle.join(' -> ')}. ` +
          'Break the loop with a stock (or an INIT/PREVIOUS/DELAY).',
        { code: 'INVALID_ARGUMENT', details: { cycle } },
      );
    }
    state.set(n.id, 1);
    stack.push(n);
    for (const d of depsOf(n)) visit(all[d]!);
    stack.pop();
    state.set(n.id, 2);
    out.push(n);
  };
  for (const n of list) visit(n);
  return out;
}
