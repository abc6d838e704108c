/**
 * The Vensim `.mdl` equation language: splitting a file into entries and parsing one expression.
 * @internal
 */
import { TwinkitError } from '@twinkit/core';

/**
 * Signals a `.mdl` file twinkit cannot read or run; the message names the construct, the file, the
 * line and the variable (also in `details`).
 *
 * @example
 * ```ts
 * try {
 *   readVensim('x = VECTOR SELECT(a, b, 0, 0, 0) ~~|', { file: 'm.mdl' });
 * } catch (e) {
 *   if (e instanceof VensimError) console.log(e.message);
 *   // m.mdl line 1: variable "x": uses the Vensim function VECTOR SELECT, which twinkit does not support
 * }
 * ```
 */
export class VensimError extends TwinkitError {}

/** One `name = expression ~ units ~ comment |` entry of a `.mdl` file. @internal */
export interface MdlEntry {
  /** Text before the first `~` (left side, operator and expression), line continuations removed. */
  equation: string;
  units: string;
  comment: string;
  /** 1-based line where the entry starts. */
  line: number;
}

/** Splits the equation part of a `.mdl` file (before the sketch) into entries. @internal */
export function splitEntries(text: string): MdlEntry[] {
  let body = text.replace(/^\uFEFF/, '');
  const sketch = body.search(/\\{2,}-{3}\/{3}/);
  if (sketch >= 0) body = body.slice(0, sketch);
  const out: MdlEntry[] = [];
  let start = 0;
  let line = 1;
  let startLine = 1;
  let inQuote = false;
  let inDoc = false;
  const push = (end: number) => {
    const raw = body.slice(start, end);
    // Skip the blank lines (and a leading {UTF-8}) before the entry so its line is exact.
    const lead = /^(?:\s|\{UTF-8\})*/.exec(raw)![0];
    const line0 = startLine + (lead.match(/\n/g)?.length ?? 0);
    const joined = raw.slice(lead.length).replace(/\\\s*\r?\n/g, ' ');
    if (joined.trim() !== '') {
      const parts = splitOutsideQuotes(joined, '~');
      out.push({
        equation: (parts[0] ?? '').trim(),
        units: (parts[1] ?? '').trim(),
        comment: parts
          .slice(2)
          .join('~')
          .trim()
          .replace(/\s*\n\s*/g, ' '),
        line: line0,
      });
    }
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\n') line++;
    else if (c === '\\' && inQuote) i++;
    else if (c === '"' && !inDoc) inQuote = !inQuote;
    else if (c === '~' && !inQuote)
      inDoc = true; // Units and comments: quotes there are prose.
    else if (c === '|' && !inQuote) {
      inDoc = false;
      push(i);
      start = i + 1;
      startLine = line;
    }
  }
  push(body.length);
  return out;
}

/** Splits `text` at `sep` outside double quotes. @internal */
export function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let inQuote = false;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && inQuote) i++;
    else if (c === '"') inQuote = !inQuote;
    else if (!inQuote && (c === '(' || c === '[')) depth++;
    else if (!inQuote && (c === ')' || c === ']')) depth--;
    else if (!inQuote && depth <= 0 && text.startsWith(sep, i)) {
      out.push(text.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** A Vensim expression tree, before it is mapped onto the XMILE expression tree. @internal */
export type VExpr =
  | { kind: 'number'; value: number }
  | { kind: 'ref'; name: string; subscripts: VSub[] | null }
  | { kind: 'call'; fn: string; args: VExpr[]; subscripts: VSub[] | null }
  | { kind: 'unary'; op: '-' | '+' | 'not'; operand: VExpr }
  | { kind: 'binary'; op: string; left: VExpr; right: VExpr }
  | { kind: 'lookup'; points: Array<[number, number]> }
  | { kind: 'na' };

/** A subscript: a name (element or dimension), with `!` when it is summed over. @internal */
export interface VSub {
  name: string;
  bang: boolean;
}

interface Tok {
  t: 'num' | 'name' | 'op' | 'end';
  s: string;
  v: number;
}

/** Vensim's `name` token: letters, digits, blanks, `_`, `$`, `'`, `&`, `%` (blanks trimmed). */
const NAME = /^[\p{L}_$][\p{L}\p{N}_$'&%\s]*/u;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '{') {
      const close = src.indexOf('}', i);
      i = close < 0 ? src.length : close + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?/.exec(src.slice(i))!;
      out.push({ t: 'num', s: m[0], v: Number(m[0]) });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      // A quoted name ("..." with \" escapes), or a '...' file or sheet argument of GET functions.
      let close = i + 1;
      while (close < src.length && src[close] !== c) close += src[close] === '\\' && c === '"' ? 2 : 1;
      if (close >= src.length) throw new Error(`unclosed quote ${c}`);
      out.push({ t: 'name', s: src.slice(i + 1, close), v: 0 });
      i = close + 1;
      continue;
    }
    if (c === ':') {
      const m = /^:([A-Za-z]+):/.exec(src.slice(i));
      if (m) {
        out.push({ t: 'op', s: `:${m[1]!.toUpperCase()}:`, v: 0 });
        i += m[0].length;
        continue;
      }
    }
    const m = NAME.exec(src.slice(i));
    if (m) {
      out.push({ t: 'name', s: m[0].replace(/\s+/g, ' ').trim(), v: 0 });
      i += m[0].length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '<>') {
      out.push({ t: 'op', s: two, v: 0 });
      i += 2;
      continue;
    }
    if ('+-*/^()[],<>=!'.includes(c)) {
      out.push({ t: 'op', s: c, v: 0 });
      i++;
      continue;
    }
    throw new Error(`unexpected character ${JSON.stringify(c)}`);
  }
  out.push({ t: 'end', s: '', v: 0 });
  return out;
}

/** Parses one Vensim expression. @internal */
export function parseVensimExpr(src: string): VExpr {
  const toks = tokenize(src);
  let k = 0;
  const peek = () => toks[k]!;
  const isOp = (s: string) => peek().t === 'op' && peek().s === s;
  const expect = (s: string) => {
    if (!isOp(s)) throw new Error(`expected "${s}", found ${JSON.stringify(peek().s || 'end')}`);
    k++;
  };
  const or = (): VExpr => {
    let l = and();
    while (isOp(':OR:')) {
      k++;
      l = { kind: 'binary', op: 'or', left: l, right: and() };
    }
    return l;
  };
  const and = (): VExpr => {
    let l = not();
    while (isOp(':AND:')) {
      k++;
      l = { kind: 'binary', op: 'and', left: l, right: not() };
    }
    return l;
  };
  const not = (): VExpr => {
    if (isOp(':NOT:')) {
      k++;
      return { kind: 'unary', op: 'not', operand: not() };
    }
    return cmp();
  };
  const cmp = (): VExpr => {
    let l = add();
    while (peek().t === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(peek().s)) {
      const op = toks[k++]!.s;
      l = { kind: 'binary', op, left: l, right: add() };
    }
    return l;
  };
  const add = (): VExpr => {
    let l = mul();
    while (isOp('+') || isOp('-')) {
      const op = toks[k++]!.s;
      l = { kind: 'binary', op, left: l, right: mul() };
    }
    return l;
  };
  const mul = (): VExpr => {
    let l = unary();
    while (isOp('*') || isOp('/')) {
      const op = toks[k++]!.s;
      l = { kind: 'binary', op, left: l, right: unary() };
    }
    return l;
  };
  const unary = (): VExpr => {
    if (isOp('-') || isOp('+')) {
      const op = toks[k++]!.s as '-' | '+';
      return { kind: 'unary', op, operand: unary() };
    }
    return power();
  };
  const power = (): VExpr => {
    const base = primary();
    if (isOp('^')) {
      k++;
      return { kind: 'binary', op: '^', left: base, right: unary() };
    }
    return base;
  };
  const subscripts = (): VSub[] | null => {
    if (!isOp('[')) return null;
    k++;
    const subs: VSub[] = [];
    for (;;) {
      const t = toks[k++]!;
      if (t.t !== 'name' && t.t !== 'num')
        throw new Error(`expected a subscript, found ${JSON.stringify(t.s)}`);
      const bang = isOp('!');
      if (bang) k++;
      subs.push({ name: t.s, bang });
      if (isOp(',')) {
        k++;
        continue;
      }
      break;
    }
    expect(']');
    return subs;
  };
  const primary = (): VExpr => {
    const t = toks[k++]!;
    if (t.t === 'num') return { kind: 'number', value: t.v };
    if (t.t === 'op' && t.s === ':NA:') return { kind: 'na' };
    if (t.t === 'op' && t.s === '(') {
      // A lookup literal: ([(x0,y0)-(x1,y1)], (x,y), ...) or ((x,y), ...).
      if (isOp('[') || (isOp('(') && toks[k + 1]?.t === 'num' && toks[k + 2]?.s === ',')) {
        const save = k;
        const lit = tryLookup();
        if (lit) return lit;
        k = save;
      }
      const e = or();
      expect(')');
      return e;
    }
    if (t.t === 'name') {
      const subs = subscripts();
      if (isOp('(')) {
        k++;
        const args: VExpr[] = [];
        if (!isOp(')')) {
          for (;;) {
            args.push(or());
            if (isOp(',')) {
              k++;
              continue;
            }
            break;
          }
        }
        expect(')');
        return { kind: 'call', fn: t.s, args, subscripts: subs };
      }
      return { kind: 'ref', name: t.s, subscripts: subs };
    }
    throw new Error(`expected a number, a name or "(", found ${JSON.stringify(t.s || 'end of equation')}`);
  };
  const num = (): number => {
    let sign = 1;
    while (isOp('-') || isOp('+')) {
      if (toks[k]!.s === '-') sign = -sign;
      k++;
    }
    const t = toks[k++]!;
    if (t.t !== 'num') throw new Error('expected a number in a lookup');
    return sign * t.v;
  };
  const pair = (): [number, number] => {
    expect('(');
    const x = num();
    expect(',');
    const y = num();
    expect(')');
    return [x, y];
  };
  const tryLookup = (): VExpr | null => {
    try {
      if (isOp('[')) {
        k++;
        pair();
        expect('-');
        pair();
        // Optional reference lines: ,(x,y),... inside the brackets.
        while (isOp(',')) {
          k++;
          pair();
        }
        expect(']');
        if (isOp(',')) k++;
      }
      const points: Array<[number, number]> = [];
      if (isOp('(')) {
        for (;;) {
          points.push(pair());
          if (isOp(',')) {
            k++;
            continue;
          }
          break;
        }
      } else {
        // The x-list, y-list form: x1, x2, ..., y1, y2, ...
        const values: number[] = [];
        for (;;) {
          values.push(num());
          if (isOp(',')) {
            k++;
            continue;
          }
          break;
        }
        const n = values.length / 2;
        for (let i = 0; i < n; i++) points.push([values[i]!, values[n + i]!]);
      }
      expect(')');
      return { kind: 'lookup', points };
    } catch {
      return null;
    }
  };
  const e = or();
  if (peek().t !== 'end') throw new Error(`unexpected ${JSON.stringify(peek().s)} after the expression`);
  return e;
}

/** Parses a lookup definition's body: the text inside `name( ... )`. @internal */
export function parseLookupBody(src: string): Array<[number, number]> {
  const e = parseVensimExpr(`(${src})`);
  if (e.kind !== 'lookup') throw new Error('malformed lookup table');
  return e.points;
}
