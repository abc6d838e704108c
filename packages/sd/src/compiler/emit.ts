/**
 * Stage 3 of the compiler: generates the JavaScript of the model's functions (initial values,
 * constants, equations, rates, commit and the whole Euler loop) from the ordered graph, folds
 * arrayed equations into loops, and builds the {@link CompiledModel}.
 */
import type { CompiledModel, ModelFunctions, OutputVariable } from './compile';
import { limitOutflows } from './limits';
import { canonicalKey, type Node } from './nodes';
import { assignSlots, isState, order, propagateDynamic } from './order';
import type { Compiler } from './resolve';

/** Orders the resolved graph and generates the model's code. @internal */
export function emit(compiler: Compiler): CompiledModel {
  const nodes = compiler.nodes;
  const limits = limitOutflows(compiler);
  propagateDynamic(nodes);
  const { stockCount, slotCount } = assignSlots(nodes);

  // Init order: everything, following deps (stocks included).
  const initOrder = order(nodes, nodes, (n) => [...n.deps], 'initial values');
  // Runtime order: dynamic non-state values, deps on non-state values only.
  const runtime = nodes.filter((n) => !isState(n) && n.kind !== 'initial' && n.dynamic);
  const inRuntime = new Set(runtime.map((n) => n.id));
  const runtimeOrder = order(nodes, runtime, (n) => [...n.deps].filter((d) => inRuntime.has(d)), 'equations');
  const constants = initOrder.filter((n) => !isState(n) && n.kind !== 'initial' && !n.dynamic && !n.literal);

  const fix = (js: string) => js.replace(/@(\d+)/g, (_m, id: string) => String(nodes[Number(id)]!.slot));
  const line = (n: Node) => {
    if (n.statement !== null) return fix(n.statement);
    const rhs = fix(n.expr);
    return foldSum(`v[${n.slot}]`, rhs) ?? `v[${n.slot}] = ${rhs};`;
  };
  const lines = (list: Node[]) => list.map(line).filter((x) => x !== '');
  const initBody = [
    ...nodes.filter((n) => n.startsNaN).map((n) => `v[${n.slot}] = NaN;`),
    ...loopifyNested(lines(initOrder)),
  ].join('\n');
  const constBody = lines(constants).join('\n');
  // Arrayed equations become loops, so a 1,000-element model stays a small, optimisable function.
  const loopAuxBody = loopifyNested(lines(runtimeOrder)).join('\n');
  const ratesBody = nodes.filter((n) => n.kind === 'stock').map((n) => `d[${n.slot}] = ${fix(n.rate)};`);
  const ratesLoopBody = loopifyNested(ratesBody).join('\n');
  const commitBody = [
    ...compiler.delayPushes.map(fix),
    ...nodes
      .filter((n) => n.kind === 'previous')
      .map((n) => `v[${n.slot}] = v[${nodes[n.captureId]!.slot}];`),
  ].join('\n');
  // The Euler loop, generated whole so V8 sees one hot function with everything inlined.
  const stocks = nodes.filter((n) => n.kind === 'stock');
  const outputNodes = nodes.filter((n) => n.output && n.def);
  const useLocals = stocks.length <= 32;
  const eulerLines = [
    'for (let i = from; i < to; i++) {',
    commitBody,
    ...(useLocals
      ? stocks.map((n, k) => `const d${k} = ${fix(n.rate)};`)
      : loopifyNested(stocks.map((n) => `d[${n.slot}] = ${fix(n.rate)};`))),
    ...loopifyNested(
      stocks.map((n, k) => {
        const rate = useLocals ? `d${k}` : `d[${n.slot}]`;
        return n.nonNegative
          ? `{ const x = v[${n.slot}] + dt * ${rate}; v[${n.slot}] = x < 0 ? 0 : x; }`
          : `v[${n.slot}] += dt * ${rate};`;
      }),
    ),
    'time = start + (i + 1) * dt;',
    loopAuxBody,
    'if (saveEvery > 0 && (i + 1) % saveEvery === 0) {',
    'const base = row * width;',
    'times[row] = time;',
    // x - x is 0 for a finite x and NaN otherwise: one sum tells whether a saved value is not finite.
    // Small models add it up in one expression; large ones as they copy (one pass over the row).
    ...(outputNodes.length <= 64
      ? [
          ...loopifyNested(outputNodes.map((n, j) => `out[base + ${j}] = v[${n.slot}];`)),
          `finite += ${outputNodes.map((n) => `(v[${n.slot}] - v[${n.slot}])`).join(' + ')};`,
        ]
      : loopifyNested(
          outputNodes.map((n, j) => `{ const x = v[${n.slot}]; out[base + ${j}] = x; finite += x - x; }`),
        )),
    'row++;',
    '}',
    '}',
  ];
  // Small models without function equations keep every value in a local inside the loop
  // (registers instead of loads and stores through the array), written back at the end.
  let eulerLoop = eulerLines.join('\n');
  const registerSlots = new Set<number>();
  if (slotCount <= 256 && compiler.functions.length === 0 && !/for \(let k/.test(eulerLoop)) {
    eulerLoop = eulerLoop.replace(/\bv\[(\d+)\]/g, (_m, n: string) => {
      registerSlots.add(Number(n));
      return `s${n}`;
    });
  }
  const registers = [...registerSlots];
  const eulerBody = [
    'let time = start + from * dt;',
    `const width = ${outputNodes.length};`,
    'const d = c.scratch;',
    'let finite = 0;',
    ...registers.map((n) => `let s${n} = v[${n}];`),
    eulerLoop,
    ...registers.map((n) => `v[${n}] = s${n};`),
    'c.finite = finite;',
    'return row;',
  ].join('\n');
  const source = [
    PAIRWISE_SOURCE,
    `function init(v, c, time) {\n${initBody}\n}`,
    `function constants(v, c, time) {\n${constBody}\n}`,
    `function aux(v, c, time) {\n${loopAuxBody}\n}`,
    `function rates(v, c, time, d) {\n${ratesLoopBody}\n}`,
    `function commit(v, c, time) {\n${commitBody}\n}`,
    `function runEuler(v, c, start, dt, from, to, saveEvery, out, times, row) {\n${eulerBody}\n}`,
  ].join('\n');
  // The model is compiled once into JS on purpose (see the file header).
  const factory = new Function(`${source}\nreturn { init, constants, aux, rates, commit, runEuler };`);
  const functions = factory() as ModelFunctions;

  const outputs: OutputVariable[] = nodes
    .filter((n) => n.output && n.def)
    .map((n) => ({
      name: n.name,
      key: n.key,
      kind: n.def!.aliasOf !== null ? 'aux' : n.def!.kind,
      slot: n.slot,
      parameter: (n.request >= 0 ? nodes[n.request]!.literal : n.literal) && n.def!.kind !== 'stock',
      ...(n.request >= 0 ? { writeSlot: nodes[n.request]!.slot } : {}),
    }));
  const byKey = new Map(outputs.map((o) => [o.key, o]));
  const nonNegativeStocks = Int32Array.from(
    nodes.filter((n) => n.kind === 'stock' && n.nonNegative).map((n) => n.slot),
  );
  return {
    specs: { ...compiler.model.specs },
    slotCount,
    stockCount,
    nonNegativeStocks,
    outflowLimits: limits.stocks.map(({ stock, outflows, to }) => ({
      stock: stock.slot,
      outflows: Int32Array.from(outflows, (f) => f.slot),
      to: Int32Array.from(to, (t) => (t === null ? -1 : t.slot)),
    })),
    outputs,
    functions,
    tables: {
      graphicals: compiler.graphicals,
      functions: compiler.functions,
      delayCount: compiler.delayCount,
      usesRandom: compiler.usesRandom,
    },
    source,
    find: (name: string) => byKey.get(canonicalKey(name)),
  };
}

const NUMBER_TOKEN = /(?<![\w.$])(\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?![\w.])/g;

/**
 * Folds runs of generated lines that differ only in integer literals varying by a constant
 * stride (the elements of an arrayed equation: `v[10] = v[3] / 20;`, `v[11] = v[4] / 20;`, ...)
 * into one `for` loop over `variable`. A run may repeat a group of up to `maxPeriod` lines (the
 * dependency order interleaves the elements of equations that read each other element by element:
 * `a[1]`, `b[1]`, `a[2]`, `b[2]`, ...); the loop's body is then the group. Order is kept, so the
 * result is the same as the unrolled lines. @internal
 */
export function loopify(lines: string[], minRun = 4, variable = 'k', maxPeriod = 8): string[] {
  const parsed: ParsedLine[] = lines.map((text) => {
    const numbers: number[] = [];
    const skeleton = text.replace(NUMBER_TOKEN, (m) => {
      numbers.push(Number(m));
      return '#';
    });
    return { text, skeleton, numbers };
  });
  const out: string[] = [];
  let i = 0;
  while (i < parsed.length) {
    let folded = false;
    for (let period = 1; period <= maxPeriod && i + period * minRun <= parsed.length; period++) {
      const run = measureRun(parsed, i, period);
      if (run === null || run.count < minRun) continue;
      const body = run.strides.map((strides, q) => {
        const first = parsed[i + q]!;
        let p = 0;
        return first.skeleton.replace(/#/g, () => {
          const base = first.numbers[p]!;
          const stride = strides[p]!;
          p++;
          if (stride === 0) return String(base);
          return stride === 1 ? `(${base} + ${variable})` : `(${base} + ${stride} * ${variable})`;
        });
      });
      out.push(`for (let ${variable} = 0; ${variable} < ${run.count}; ${variable}++) { ${body.join(' ')} }`);
      i += run.count * period;
      folded = true;
      break;
    }
    if (!folded) out.push(parsed[i++]!.text);
  }
  return out;
}

/**
 * {@link loopify} applied again to its own output, up to `depth` levels, so that the loops of a
 * 2-D or 3-D arrayed equation (one loop per row) fold into nested loops (`k`, `k1`, `k2`). @internal
 */
export function loopifyNested(lines: string[], depth = 3): string[] {
  let current = loopify(lines);
  for (let level = 1; level < depth; level++) {
    const next = loopify(current, 4, `k${level}`);
    if (next.length === current.length) break;
    current = next;
  }
  return current;
}

interface ParsedLine {
  text: string;
  skeleton: string;
  numbers: number[];
}

/**
 * How many consecutive groups of `period` lines from `i` repeat the first group with every integer
 * literal moving by a constant stride, and those strides (per line of the group, per literal).
 */
function measureRun(
  parsed: readonly ParsedLine[],
  i: number,
  period: number,
): { count: number; strides: number[][] } | null {
  let strides: number[][] | null = null;
  let count = 1;
  for (; i + (count + 1) * period <= parsed.length; count++) {
    for (let q = 0; q < period; q++) {
      const first = parsed[i + q]!;
      const next = parsed[i + count * period + q]!;
      if (next.skeleton !== first.skeleton || next.numbers.length !== first.numbers.length) return finish();
      if (strides === null || strides.length <= q) {
        const st = next.numbers.map((x, p) => x - first.numbers[p]!);
        if (st.some((d, p) => !Number.isInteger(d) || (d !== 0 && !Number.isInteger(first.numbers[p]!))))
          return finish();
        if (strides === null) strides = [];
        strides.push(st);
      }
      const own = strides[q]!;
      if (next.numbers.some((x, p) => x !== first.numbers[p]! + count * own[p]!)) return finish();
    }
  }
  return finish();
  function finish() {
    // A group that did not complete its first repetition has no strides: no run.
    return strides === null || strides.length < period ? null : { count, strides };
  }
}

/** Sums of at least this many variables become a loop over their slots. */
const FOLD_SUM_TERMS = 16;

/**
 * The generated helper behind folded balanced sums: the same pairwise order as the expression
 * tree it replaces (left half first, split at n >> 1), so the result is bit for bit the same.
 */
const PAIRWISE_SOURCE = `function pairwise(v, lo, stride, n) {
if (n === 1) return v[lo];
if (n === 2) return v[lo] + v[lo + stride];
const m = n >> 1;
return pairwise(v, lo, stride, m) + pairwise(v, lo + m * stride, stride, n - m);
}`;

/**
 * Replaces `target = <sum of many variables>` by a loop when the variables' slots move by a constant
 * stride: a SUM over an arrayed variable of 10,000 elements otherwise becomes a 10,000-term
 * expression, and a function holding it is too large for V8 to optimize (the whole Euler loop then
 * runs interpreted). Two shapes are folded, each in its own order so the sum stays bit for bit the
 * same: the left-to-right chain `(a + b + c + ...)` of SUM over `x[*]`, and the balanced tree
 * `((a + b) + (c + d))` of Vensim's SUM over `x[range!]`. Returns null for anything else. @internal
 */
export function foldSum(target: string, rhs: string): string | null {
  if (rhs.length < FOLD_SUM_TERMS * 6 || !/^[v[\]\d()+ ]+$/.test(rhs)) return null;
  const slots = Array.from(rhs.matchAll(/v\[(\d+)\]/g), (m) => Number(m[1]));
  if (slots.length < FOLD_SUM_TERMS) return null;
  const stride = slots[1]! - slots[0]!;
  for (let i = 2; i < slots.length; i++) if (slots[i]! - slots[i - 1]! !== stride) return null;
  const terms = slots.map((slot) => `v[${slot}]`);
  const lo = slots[0]!;
  const n = slots.length;
  if (rhs === `(${terms.join(' + ')})`) {
    return `{ let sum = v[${lo}]; for (let k = 1; k < ${n}; k++) sum += v[${lo} + ${stride} * k]; ${target} = sum; }`;
  }
  const tree = balancedSum(terms, 0, n);
  if (rhs === tree || rhs === `(${tree})`) return `${target} = pairwise(v, ${lo}, ${stride}, ${n});`;
  return null;
}

/** `terms[lo..lo+n)` printed as the expression compiler prints a balanced tree of `+`. */
function balancedSum(terms: readonly string[], lo: number, n: number): string {
  if (n === 1) return terms[lo]!;
  const m = n >> 1;
  return `(${balancedSum(terms, lo, m)} + ${balancedSum(terms, lo + m, n - m)})`;
}
