/**
 * The builtin functions and names of equations, as a table: one entry per builtin (its arity and
 * the function that emits its JavaScript). Adding an XMILE or Vensim builtin is one entry in
 * {@link BUILTINS} (or {@link BUILTIN_NAMES} for a name used without parentheses).
 */
import type { Expr } from '../expression';
import type { VariableDef } from '../model/model';
import type { Node, Scope } from './nodes';

/** What a builtin's emit function may ask of the compiler. @internal */
export interface BuiltinHost {
  /** Compiles an expression in a scope (adds its deps to the scope). */
  expr(e: Expr, s: Scope): string;
  /** Compiles each element of an array-valued argument (free dimensions enumerated). */
  arrayArg(e: Expr, s: Scope): string[];
  /** Folds an expression that must be a constant (numbers, constant variables, + - * /). */
  constantValue(e: Expr, s: Scope, what: string): number;
  /** Adds an internal stock (state of a stateful builtin) with the given initial value. */
  internalStock(s: Scope, label: string, init: string, initDeps: Set<number>): Node;
  /** Adds an internal node. */
  newNode(partial: Partial<Node> & Pick<Node, 'kind' | 'key' | 'name'>): Node;
  /** Throws a ModelCompileError naming the variable. */
  fail(message: string, def: VariableDef | null, extra?: string): never;
  /** Finds a variable by name, relative to the scope's module unless absolute. */
  lookupVariable(name: string, s: Scope, absolute?: boolean): VariableDef | undefined;
  /** Index of a graphical function's table in `c.g`. */
  graphicalSlot(def: VariableDef): number;
  /** Records that the model draws random numbers (a run then needs `options.random`). */
  useRandom(): void;
  /** Adds a fixed delay whose input is pushed each step by `push` (`k` -> JS); returns its index. */
  addDelay(push: (k: number) => string): number;
  /** The model's integration step (sim specs dt). */
  timeStep(): number;
  /** True when `e` reads an ACTIVE INITIAL variable directly (a reference in the expression). */
  readsActiveInitial(e: Expr, s: Scope): boolean;
  /** True when `e` is the keyword SELF (XMILE 3.5.6) and no variable of the model is named SELF. */
  isSelf(e: Expr, s: Scope): boolean;
}

/** The arguments of one call being compiled. @internal */
export interface BuiltinCall {
  /** The function's canonical name (`smth1`, `if_then_else`). */
  fn: string;
  args: Expr[];
  s: Scope;
  host: BuiltinHost;
  /** Compiles argument `i` in the caller's scope. */
  a(i: number): string;
  /** Throws unless the call has between `min` and `max` arguments. */
  arity(min: number, max?: number): void;
}

/** One builtin function. @internal */
export interface Builtin {
  /** Accepted numbers of arguments, checked before `emit` (omit to let `emit` check). */
  arity?: readonly [min: number, max: number];
  /** True when the model must be given a random source. */
  random?: boolean;
  /** True when the value changes with time (a TIME-dependent or random builtin). */
  dynamic?: boolean;
  /**
   * True for the one-argument math functions, which take precedence over a graphical function of
   * the same name called as a function.
   */
  beforeTables?: boolean;
  /** Returns the JavaScript of the call. */
  emit(call: BuiltinCall): string;
}

/** Names usable without parentheses (a variable of the same name wins, except for TIME). @internal */
export const BUILTIN_NAMES: Record<string, string> = {
  time: 'time',
  dt: 'c.dt',
  time_step: 'c.dt',
  starttime: 'c.start',
  initial_time: 'c.start',
  stoptime: 'c.stop',
  final_time: 'c.stop',
  pi: 'Math.PI',
  inf: 'Infinity',
};

/** Array reducers, reported as unsupported when called outside the forms the table handles. @internal */
export const REDUCERS = new Set(['sum', 'mean', 'prod', 'size', 'stddev', 'min', 'max']);

/** Builtins recognised but not implemented: named in the error instead of computing a wrong number. @internal */
export const KNOWN_UNSUPPORTED = new Set(['active_initial', 'rank', 'irr']);

/** The compiled arguments from index `from` on, as a JavaScript array literal (`[a3, a4, ...]`). */
function argsFrom(args: readonly unknown[], a: (i: number) => string, from: number): string {
  return `[${args
    .slice(from)
    .map((_, i) => a(i + from))
    .join(', ')}]`;
}

const math1 = (js: string): Builtin => ({
  arity: [1, 1],
  beforeTables: true,
  emit: ({ a }) => `${js}(${a(0)})`,
});

const constant = (js: string): Builtin => ({ arity: [0, 0], emit: () => js });

const random = (min: number, max: number, emit: Builtin['emit']): Builtin => ({
  arity: [min, max],
  random: true,
  dynamic: true,
  emit,
});

const safediv: Builtin['emit'] = ({ a, args }) => {
  const alt = args.length === 3 ? a(2) : '0';
  return `c.safediv(${a(0)}, ${a(1)}, ${alt})`;
};

const minMax: Builtin['emit'] = ({ fn, args, s, host, arity }) => {
  const list = args.length === 1 ? host.arrayArg(args[0]!, s) : args.map((x) => host.expr(x, s));
  if (list.length === 0) arity(1, Number.POSITIVE_INFINITY);
  return `Math.${fn}(${list.join(', ')})`;
};

const reducer: Builtin['emit'] = ({ fn, args, s, host }) => {
  const list = host.arrayArg(args[0]!, s);
  if (fn === 'size') return String(list.length);
  if (fn === 'sum') return `(${list.join(' + ')})`;
  if (fn === 'prod') return `(${list.join(' * ')})`;
  if (fn === 'mean') return `((${list.join(' + ')}) / ${list.length})`;
  return `c.stddev([${list.join(', ')}])`;
};

/** SMTH1/3/N and DELAY1/3/N: a chain of internal stocks. */
const stages: Builtin['emit'] = ({ fn, args, s, host, arity }) => {
  const nth = fn.endsWith('n');
  arity(nth ? 3 : 2, nth ? 4 : 3);
  const order = fn.endsWith('1')
    ? 1
    : fn.endsWith('3')
      ? 3
      : host.constantValue(args[2]!, s, `the order of ${fn.toUpperCase()}`);
  if (!Number.isInteger(order) || order < 1) {
    host.fail(`${fn.toUpperCase()} order must be an integer >= 1, got ${order}`, s.def);
  }
  const initArg = nth ? 3 : 2;
  const inner: Scope = { ...s, deps: new Set(), dynamic: false };
  const x = host.expr(args[0]!, inner);
  const timeScope: Scope = { ...s, deps: new Set(), dynamic: false };
  const time = host.expr(args[1]!, timeScope);
  // Without an initial value the stages start from the input's: an ACTIVE INITIAL input gives its
  // initial value (the input compiled again as an initial value, only then).
  const initScope: Scope = { ...s, deps: new Set(), dynamic: false, initial: true };
  const init =
    args.length > initArg
      ? host.expr(args[initArg]!, initScope)
      : host.readsActiveInitial(args[0]!, s)
        ? host.expr(args[0]!, initScope)
        : null;
  // A delay's stages start at init * stage time: their start needs the delay time too.
  const initDeps = new Set([...(init === null ? inner.deps : initScope.deps), ...timeScope.deps]);
  // The caller reads only the last stage (a stock): no ordering edge to the input, so a
  // smooth or delay inside a feedback loop is not a circular definition.
  const stageTime = order === 1 ? time : `(${time} / ${order})`;
  const isDelay = fn.startsWith('delay');
  const list: Node[] = [];
  for (let i = 0; i < order; i++) {
    const stock = host.internalStock(
      s,
      `${fn.toUpperCase()} stage ${i + 1}`,
      isDelay ? `(${init ?? x} * ${stageTime})` : (init ?? x),
      initDeps,
    );
    list.push(stock);
  }
  list.forEach((stock, i) => {
    const upstream =
      i === 0 ? x : isDelay ? `(v[@${list[i - 1]!.id}] / ${stageTime})` : `v[@${list[i - 1]!.id}]`;
    stock.rate = isDelay
      ? `${upstream} - v[@${stock.id}] / ${stageTime}`
      : `(${upstream} - v[@${stock.id}]) / ${stageTime}`;
  });
  const last = list[list.length - 1]!;
  s.deps.add(last.id);
  s.dynamic = true;
  return isDelay ? `(v[@${last.id}] / ${stageTime})` : `v[@${last.id}]`;
};

/** TREND and FORCST: one internal average stock. */
const trend: Builtin['emit'] = ({ fn, args, s, host, arity }) => {
  const isTrend = fn === 'trend';
  arity(isTrend ? 2 : 3, isTrend ? 3 : 4);
  const inner: Scope = { ...s, deps: new Set(), dynamic: false };
  const x = host.expr(args[0]!, inner);
  const avg = host.expr(args[1]!, inner);
  const initIndex = isTrend ? 2 : 3;
  const initTrend = args.length > initIndex ? host.expr(args[initIndex]!, inner) : '0';
  for (const d of inner.deps) s.deps.add(d);
  const stock = host.internalStock(
    s,
    `${fn.toUpperCase()} average`,
    `(${x} / (1 + ${initTrend} * ${avg}))`,
    inner.deps,
  );
  stock.rate = `(${x} - v[@${stock.id}]) / ${avg}`;
  s.deps.add(stock.id);
  s.dynamic = true;
  const t = `((${x} - v[@${stock.id}]) / (v[@${stock.id}] * ${avg}))`;
  return isTrend ? t : `(${x} * (1 + ${t} * ${host.expr(args[2]!, s)}))`;
};

/**
 * NPV(stream, discount rate [, initial [, factor]]): Vensim's documented equivalent, two internal
 * stocks: a discount factor df = INTEG(-df * rate / (1 + rate * DT), 1) and an accumulation
 * acc = INTEG(stream * df, initial); the value is (acc + stream * DT * df) * factor.
 */
const npv: Builtin['emit'] = ({ args, s, host, a }) => {
  const stream = a(0);
  const rate = a(1);
  const factor = args.length > 3 ? a(3) : '1';
  const initScope: Scope = { ...s, deps: new Set(), dynamic: false, initial: true };
  const init = args.length > 2 ? host.expr(args[2]!, initScope) : '0';
  const df = host.internalStock(s, 'NPV discount factor', '1', new Set());
  const acc = host.internalStock(s, 'NPV accumulation', init, initScope.deps);
  df.rate = `(-v[@${df.id}] * ${rate} / (1 + ${rate} * c.dt))`;
  acc.rate = `(${stream} * v[@${df.id}])`;
  s.deps.add(df.id);
  s.deps.add(acc.id);
  s.dynamic = true;
  return `((v[@${acc.id}] + ${stream} * c.dt * v[@${df.id}]) * ${factor})`;
};

/**
 * Every builtin function, by canonical name. Dispatch order: the one-argument math functions
 * (`beforeTables`), then a graphical function called by name, then the other entries.
 * @internal
 */
export const BUILTINS: Record<string, Builtin> = {
  abs: math1('Math.abs'),
  exp: math1('Math.exp'),
  ln: math1('Math.log'),
  log10: math1('Math.log10'),
  sqrt: math1('Math.sqrt'),
  sin: math1('Math.sin'),
  cos: math1('Math.cos'),
  tan: math1('Math.tan'),
  arcsin: math1('Math.asin'),
  arccos: math1('Math.acos'),
  arctan: math1('Math.atan'),
  asin: math1('Math.asin'),
  acos: math1('Math.acos'),
  atan: math1('Math.atan'),
  sinh: math1('Math.sinh'),
  cosh: math1('Math.cosh'),
  tanh: math1('Math.tanh'),
  int: math1('Math.trunc'), // The suite's canonical output (test_rounding) truncates toward zero.
  round: math1('Math.round'),
  sign: math1('Math.sign'),

  pi: constant('Math.PI'),
  time: { arity: [0, 0], dynamic: true, emit: () => 'time' },
  dt: constant('c.dt'),
  starttime: constant('c.start'),
  stoptime: constant('c.stop'),
  log: {
    arity: [1, 2],
    emit: ({ a, args }) =>
      args.length === 1 ? `Math.log10(${a(0)})` : `(Math.log(${a(0)}) / Math.log(${a(1)}))`,
  },
  mod: { arity: [2, 2], emit: ({ a }) => `c.mod(${a(0)}, ${a(1)})` },
  exprnd: random(1, 2, ({ a }) => `(-(${a(0)}) * Math.log(1 - c.rand()))`),
  exponential: random(1, 2, ({ a }) => `(-(${a(0)}) * Math.log(1 - c.rand()))`),
  if_then_else: { arity: [3, 3], emit: ({ a }) => `(${a(0)} !== 0 ? ${a(1)} : ${a(2)})` },
  safediv: { arity: [2, 3], emit: safediv },
  xidz: { arity: [3, 3], emit: safediv },
  zidz: { arity: [2, 2], emit: safediv },
  min: { emit: minMax },
  max: { emit: minMax },
  sum: { arity: [1, 1], emit: reducer },
  mean: { arity: [1, 1], emit: reducer },
  prod: { arity: [1, 1], emit: reducer },
  size: { arity: [1, 1], emit: reducer },
  stddev: { arity: [1, 1], emit: reducer },
  step: { arity: [2, 2], dynamic: true, emit: ({ a }) => `c.step(time, ${a(0)}, ${a(1)})` },
  ramp: {
    arity: [2, 3],
    dynamic: true,
    emit: ({ a, args }) => `c.ramp(time, ${a(0)}, ${a(1)}, ${args.length === 3 ? a(2) : 'Infinity'})`,
  },
  pulse: {
    arity: [1, 3],
    dynamic: true,
    emit: ({ a, args }) =>
      `c.pulse(time, c.dt, ${a(0)}, ${args.length > 1 ? a(1) : 'c.start'}, ${args.length > 2 ? a(2) : '0'})`,
  },
  random: random(2, 3, ({ a }) => `c.uniform(${a(0)}, ${a(1)})`),
  uniform: random(2, 3, ({ a }) => `c.uniform(${a(0)}, ${a(1)})`),
  normal: random(2, 3, ({ a }) => `c.normal(${a(0)}, ${a(1)})`),
  lognormal: random(2, 3, ({ a }) => `c.lognormal(${a(0)}, ${a(1)})`),
  poisson: random(1, 2, ({ a }) => `c.poisson(${a(0)})`),
  triangular: random(3, 4, ({ a }) => `c.triangular(${a(0)}, ${a(1)}, ${a(2)})`),
  lookup: {
    arity: [2, 2],
    emit: ({ args, s, host, a }) => {
      const table = args[0]!;
      const def = table.kind === 'ref' ? host.lookupVariable(table.name, s, table.absolute) : undefined;
      if (!def?.graphical) host.fail('LOOKUP needs a graphical function as its first argument', s.def);
      return `c.g[${host.graphicalSlot(def!)}](${a(1)})`;
    },
  },
  init: {
    arity: [1, 1],
    emit: ({ args, s, host }) => {
      if (host.isSelf(args[0]!, s)) {
        // INIT(SELF): the variable's own value at the start time, read once the variable has it
        // (NaN while its own start value is being computed, so a circular use is reported).
        const node = host.newNode({
          kind: 'initial',
          key: `#init_self`,
          name: `INIT(SELF) in ${s.def.name}`,
          expr: `v[@${s.owner.id}]`,
          deps: new Set([s.owner.id]),
          startsNaN: true,
        });
        return `v[@${node.id}]`;
      }
      const inner: Scope = { ...s, deps: new Set(), dynamic: false, initial: true };
      const x = host.expr(args[0]!, inner);
      const node = host.newNode({
        kind: 'initial',
        key: `#init`,
        name: `INIT in ${s.def.name}`,
        expr: x,
        deps: inner.deps,
      });
      s.deps.add(node.id);
      return `v[@${node.id}]`;
    },
  },
  previous: {
    arity: [1, 2],
    emit: ({ args, s, host }) => {
      const inner: Scope = { ...s, deps: new Set(), dynamic: false };
      const self = host.isSelf(args[0]!, s);
      if (self && args.length < 2) {
        host.fail(
          'uses PREVIOUS(SELF) without an initial value; at the start time the variable has no previous ' +
            'value of its own (XMILE 3.5.6). Write PREVIOUS(SELF, init), e.g. PREVIOUS(SELF, 0)',
          s.def,
        );
      }
      // PREVIOUS(SELF, init): the variable's own value at the previous step.
      if (self) inner.deps.add(s.owner.id);
      const x = self ? `v[@${s.owner.id}]` : host.expr(args[0]!, inner);
      const capture = host.newNode({
        kind: 'internal',
        key: '#previous_input',
        name: `PREVIOUS input in ${s.def.name}`,
        expr: x,
        deps: inner.deps,
        dynamic: true,
      });
      const initScope: Scope = { ...s, deps: new Set(), dynamic: false, initial: true };
      const init = args.length > 1 ? host.expr(args[1]!, initScope) : x;
      const node = host.newNode({
        kind: 'previous',
        key: '#previous',
        name: `PREVIOUS in ${s.def.name}`,
        expr: init,
        deps: args.length > 1 ? initScope.deps : new Set(inner.deps),
        captureId: capture.id,
      });
      s.deps.add(node.id);
      s.dynamic = true;
      return `v[@${node.id}]`;
    },
  },
  delay: {
    arity: [2, 3],
    emit: ({ args, s, host, a }) => {
      const inner: Scope = { ...s, deps: new Set(), dynamic: false };
      const x = host.expr(args[0]!, inner);
      const input = host.newNode({
        kind: 'internal',
        key: '#delay_input',
        name: `DELAY input in ${s.def.name}`,
        expr: x,
        deps: inner.deps,
        dynamic: true,
      });
      // Without an initial value, the delay returns the input's initial value until time - delay
      // reaches the start time.
      const initialInput = host.newNode({
        kind: 'initial',
        key: '#delay_initial',
        name: `DELAY initial input in ${s.def.name}`,
        expr: `v[@${input.id}]`,
        deps: new Set([input.id]),
      });
      const k = host.addDelay((k) => `c.dl[${k}].push(time, v[@${input.id}]);`);
      s.deps.add(input.id);
      s.dynamic = true;
      const init = args.length > 2 ? a(2) : `v[@${initialInput.id}]`;
      s.deps.add(initialInput.id);
      return `c.dl[${k}].get(time - ${a(1)}, ${init})`;
    },
  },
  smth1: { emit: stages },
  smth3: { emit: stages },
  smthn: { emit: stages },
  delay1: { emit: stages },
  delay3: { emit: stages },
  delayn: { emit: stages },
  trend: { emit: trend },
  npv: { arity: [2, 4], emit: npv },
  // An XMILE conveyor's outflow (written by the XMILE reader, not callable from an equation):
  // (what enters less what will leak, transit time, the conveyor stock, the sum of the leak fractions
  // at the start). A fixed delay by the constant transit time. The initial contents are on the belt
  // as if material had entered at a constant rate r0 during the last len, with the start's leak
  // fractions, and leaked since (isee's steady state):
  // initial = len * r0 - (N - 1) * f0 * r0 * DT / 2, N = len / DT; so (1 - f0) * r0 leaves during the first len.
  $conveyor: {
    arity: [4, 4],
    emit: (call) => {
      const { args, s, host } = call;
      const len = conveyorLength(call);
      const k = pastInputs(call, args[0]!);
      const f0: Expr = { kind: 'call', fn: 'init', args: [args[3]!] };
      const kept: Expr = {
        kind: 'binary',
        op: '*',
        left: { kind: 'binary', op: '-', left: { kind: 'number', value: 1 }, right: f0 },
        right: initialRate(call, len),
      };
      return `c.dl[${k}].get(time - ${len}, ${host.expr(kept, s)})`;
    },
  },
  // A linear leakage flow of an XMILE conveyor (written by the XMILE reader): (fraction * what
  // enters, transit time, the conveyor stock, this leak's fraction, the sum of the fractions). What
  // enters at u leaks fraction / N of itself at each of the N = len / DT steps u + DT, ..., u + len
  // it spends on the belt, so the flow at t is the mean of the input (a rate) over the N steps
  // before t; before the start the input is fraction * r0 (the initial contents, see $conveyor).
  $conveyor_leak: {
    arity: [5, 5],
    emit: (call) => {
      const { args, s, host } = call;
      const len = conveyorLength(call);
      const dt = host.timeStep();
      const steps = Math.round(len / dt);
      const k = pastInputs(call, args[0]!);
      const before: Expr = {
        kind: 'binary',
        op: '*',
        left: { kind: 'call', fn: 'init', args: [args[3]!] },
        right: initialRate(call, len),
      };
      // The fractions' sum is checked as it enters (each step), before it is recorded.
      const where = JSON.stringify(`conveyor leakage flow "${s.def.name}"`);
      const check = `c.leakFractions(${host.expr(args[4]!, s)}, time, ${where})`;
      return `(${check}, c.dl[${k}].sumBack(time, ${dt}, ${steps}, ${host.expr(before, s)}) / ${steps})`;
    },
  },
  history: {
    arity: [2, 2],
    emit: ({ args, s, host, a }) => {
      // HISTORY(variable, time): the variable's values are pushed at each step, as a DELAY's input.
      const x = args[0]!;
      const def = x.kind === 'ref' ? host.lookupVariable(x.name, s, x.absolute) : undefined;
      if (!def) {
        host.fail(
          'uses HISTORY of an expression; twinkit supports HISTORY(variable, time) with the name of a ' +
            'variable (or an element of an array) as its first argument. Give the expression a variable of its own',
          s.def,
        );
      }
      const current = host.expr(x, s);
      const k = host.addDelay((k) => `c.dl[${k}].push(time, ${current});`);
      s.dynamic = true;
      const where = `HISTORY(${def!.name}, ...) in ${JSON.stringify(s.def.name)}`;
      return `c.history(c.dl[${k}], ${a(1)}, time, ${current}, ${JSON.stringify(where)})`;
    },
  },
  // Vensim's INVERT MATRIX, one element: (row, column, n, the n x n values row by row).
  invert_matrix_element: {
    emit: ({ args, a, arity, host, s }) => {
      arity(4, Number.POSITIVE_INFINITY);
      const n = host.constantValue(args[2]!, s, 'the size of INVERT MATRIX');
      if (args.length !== 3 + n * n) {
        host.fail(
          `invert_matrix_element(row, col, n, values) takes n * n = ${n * n} values, got ${args.length - 3}`,
          s.def,
        );
      }
      return `c.invertMatrixElement(${a(0)}, ${a(1)}, ${a(2)}, ${argsFrom(args, a, 3)})`;
    },
  },
  // Vensim's VECTOR SORT ORDER and VECTOR RANK, one element: (k, direction, values...).
  vector_sort_order: {
    emit: ({ args, a, arity }) => {
      arity(3, Number.POSITIVE_INFINITY);
      return `c.vectorSortOrder(${a(0)}, ${a(1)}, ${argsFrom(args, a, 2)})`;
    },
  },
  vector_rank: {
    emit: ({ args, a, arity }) => {
      arity(3, Number.POSITIVE_INFINITY);
      return `c.vectorRank(${a(0)}, ${a(1)}, ${argsFrom(args, a, 2)})`;
    },
  },
  // Vensim's VECTOR REORDER, one element: (index, values...).
  vector_pick: {
    emit: ({ args, a, arity }) => {
      arity(2, Number.POSITIVE_INFINITY);
      return `c.vectorPick(${a(0)}, ${argsFrom(args, a, 1)})`;
    },
  },
  // Vensim's VECTOR SELECT: (missing, numerical action, error action, selections..., values...).
  vector_select: {
    emit: ({ args, a, arity, host, s }) => {
      arity(5, Number.POSITIVE_INFINITY);
      if ((args.length - 3) % 2 !== 0) {
        host.fail(
          'vector_select(missing, action, error, selections..., values...) needs as many values as selections',
          s.def,
        );
      }
      const n = (args.length - 3) / 2;
      const list = (from: number) => Array.from({ length: n }, (_, i) => a(from + i)).join(', ');
      return `c.vectorSelect(${a(0)}, ${a(1)}, ${a(2)}, [${list(3)}], [${list(3 + n)}])`;
    },
  },
  forcst: { emit: trend },
};

/** The constant transit time of a conveyor, checked to be a positive whole multiple of DT. */
function conveyorLength({ args, s, host }: BuiltinCall): number {
  const len = host.constantValue(args[1]!, s, 'the transit time <len> of a conveyor');
  const dt = host.timeStep();
  const steps = len / dt;
  if (!(len > 0) || Math.abs(steps - Math.round(steps)) > 1e-9 * Math.max(1, steps)) {
    host.fail(
      `the conveyor's transit time <len> must be a positive whole multiple of DT (${dt}), got ${len}`,
      s.def,
    );
  }
  return len;
}

/**
 * Records `x` at each step in a new fixed delay; returns the delay's index. The conveyor's values at
 * t read only what was recorded at t - DT or before (len >= DT), so they do not depend on `x` now:
 * an inflow limited by the conveyor's capacity may read the conveyor's outflows.
 */
function pastInputs({ s, host }: BuiltinCall, x: Expr): number {
  const inner: Scope = { ...s, deps: new Set(), dynamic: false };
  const js = host.expr(x, inner);
  const input = host.newNode({
    kind: 'internal',
    key: '#conveyor_input',
    name: `conveyor input in ${s.def.name}`,
    expr: js,
    deps: inner.deps,
    dynamic: true,
  });
  s.dynamic = true;
  return host.addDelay((k) => `c.dl[${k}].push(time, v[@${input.id}]);`);
}

/**
 * The rate r0 at which a conveyor's initial contents entered: INIT(stock) / (len - (N - 1) * f0 *
 * DT / 2), args (.., len, stock, .., f0) with f0 the last argument, the start's sum of leak fractions.
 */
function initialRate({ args, host }: BuiltinCall, len: number): Expr {
  const dt = host.timeStep();
  const steps = Math.round(len / dt);
  const f0: Expr = { kind: 'call', fn: 'init', args: [args[args.length - 1]!] };
  const lost: Expr = {
    kind: 'binary',
    op: '*',
    left: f0,
    right: { kind: 'number', value: ((steps - 1) * dt) / 2 },
  };
  return {
    kind: 'binary',
    op: '/',
    left: { kind: 'call', fn: 'init', args: [args[2]!] },
    right: { kind: 'binary', op: '-', left: { kind: 'number', value: len }, right: lost },
  };
}
