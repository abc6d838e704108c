/**
 * Parser for XMILE equations.
 *
 * Why a hand-written Pratt parser rather than mathjs's: XMILE syntax is not mathjs syntax. It has
 * `IF c THEN a ELSE b`, the word operators `AND`/`OR`/`NOT`/`MOD` in any letter case, `=` as a
 * comparison (mathjs reads it as assignment), `<>` for "not equal", quoted names with spaces and
 * punctuation (`"Aux_with_$peC!@|_characters"`), dotted module names (`hares.hare_density`),
 * subscripts with dimension names (`var2[sub1, sub2]`, `x[*]`) and `{comments}`. Rewriting
 * equation text into mathjs syntax first would be a second, fragile parser. The grammar is small,
 * so a ~250-line Pratt parser that knows XMILE's precedence (unary minus binds looser than `^`,
 * `^` is right-associative: `-2^2 = -4`, `30^1.2^1.2 = 30^(1.2^1.2)`) is the simpler, exact choice.
 * The tree it builds is compiled once into JavaScript source (see `compiler/`); it is never walked
 * while a model runs.
 */
import { TwinkitError } from '@twinkit/core';
import { canonicalName } from '../names';

/** A subscript inside `name[...]`: an element or dimension name, a 1-based index, or `*`. */
export type Subscript =
  | { kind: 'name'; name: string }
  | { kind: 'index'; value: number }
  | { kind: 'wildcard' };

/** Binary operators of XMILE, in their canonical spelling. */
export type BinaryOperator =
  | '+'
  | '-'
  | '*'
  | '/'
  | '^'
  | 'mod'
  | '='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | 'and'
  | 'or';

/** The expression tree of one equation. Names are canonical (see `canonicalName`). */
export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'ref'; name: string; subscripts: Subscript[] | null; absolute?: boolean }
  | { kind: 'call'; fn: string; args: Expr[] }
  | { kind: 'unary'; op: '-' | '+' | 'not'; operand: Expr }
  | { kind: 'binary'; op: BinaryOperator; left: Expr; right: Expr }
  | { kind: 'if'; condition: Expr; then: Expr; else: Expr };

interface Token {
  type: 'num' | 'name' | 'op' | 'end';
  text: string;
  value: number;
  pos: number;
}

const WORD_OPERATORS = new Set(['if', 'then', 'else', 'and', 'or', 'not', 'mod']);

/** Signals an equation that does not parse; the message names the position and the text. */
export class EquationSyntaxError extends TwinkitError {
  /** Creates the error; `pos` is the 0-based character offset in `source`. */
  constructor(
    message: string,
    readonly source: string,
    readonly pos: number,
  ) {
    super(`${message} at character ${pos + 1} of ${JSON.stringify(source)}`, {
      code: 'PARSE',
      details: { source, pos },
    });
  }
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === '{') {
      const close = src.indexOf('}', i);
      if (close < 0) throw new EquationSyntaxError('unclosed comment "{"', src, i);
      i = close + 1;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?/.exec(src.slice(i))!;
      tokens.push({ type: 'num', text: m[0], value: Number(m[0]), pos: i });
      i += m[0].length;
      continue;
    }
    if (c === '"') {
      const close = src.indexOf('"', i + 1);
      if (close < 0) throw new EquationSyntaxError('unclosed quoted name', src, i);
      let text = src.slice(i + 1, close);
      let end = close + 1;
      // A quoted module name may be followed by `.member` (`"my module".output`).
      while (src[end] === '.' && end + 1 < n) {
        if (src[end + 1] === '"') {
          const close2 = src.indexOf('"', end + 2);
          if (close2 < 0) throw new EquationSyntaxError('unclosed quoted name', src, end + 1);
          text += `.${src.slice(end + 2, close2)}`;
          end = close2 + 1;
        } else {
          const m = /^[\p{L}\p{N}_$]+/u.exec(src.slice(end + 1));
          if (!m) break;
          text += `.${m[0]}`;
          end += 1 + m[0].length;
        }
      }
      tokens.push({ type: 'name', text, value: 0, pos: i });
      i = end;
      continue;
    }
    if (/[\p{L}_$]/u.test(c)) {
      const m = /^[\p{L}\p{N}_$]+(?:\.[\p{L}\p{N}_$]+)*/u.exec(src.slice(i))!;
      tokens.push({ type: 'name', text: m[0], value: 0, pos: i });
      i += m[0].length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '<>' || two === '==' || two === '!=') {
      tokens.push({ type: 'op', text: two === '==' ? '=' : two === '!=' ? '<>' : two, value: 0, pos: i });
      i += 2;
      continue;
    }
    if (two === '&&' || two === '||') {
      tokens.push({ type: 'name', text: two === '&&' ? 'and' : 'or', value: 0, pos: i });
      i += 2;
      continue;
    }
    if ('+-*/^()[],<>=!'.includes(c)) {
      tokens.push({ type: 'op', text: c === '!' ? 'not' : c, value: 0, pos: i });
      i++;
      continue;
    }
    throw new EquationSyntaxError(`unexpected character ${JSON.stringify(c)}`, src, i);
  }
  tokens.push({ type: 'end', text: '', value: 0, pos: n });
  return tokens;
}

class Parser {
  private index = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.index]!;
  }
  private next(): Token {
    return this.tokens[this.index++]!;
  }
  private isWord(t: Token, word: string): boolean {
    return t.type === 'name' && t.text.toLowerCase() === word;
  }
  private isOp(t: Token, op: string): boolean {
    return t.type === 'op' && t.text === op;
  }
  private expectOp(op: string): void {
    const t = this.next();
    if (!this.isOp(t, op)) this.fail(`expected "${op}"`, t);
  }
  private fail(what: string, t: Token): never {
    const found = t.type === 'end' ? 'end of equation' : JSON.stringify(t.text);
    throw new EquationSyntaxError(`${what}, found ${found}`, this.src, t.pos);
  }

  parse(): Expr {
    const e = this.parseOr();
    const t = this.peek();
    if (t.type !== 'end') this.fail('expected an operator or the end of the equation', t);
    return e;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      left = { kind: 'binary', op: 'or', left, right: this.parseAnd() };
    }
    return left;
  }
  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      left = { kind: 'binary', op: 'and', left, right: this.parseNot() };
    }
    return left;
  }
  private parseNot(): Expr {
    const t = this.peek();
    if (this.isWord(t, 'not') || this.isOp(t, 'not')) {
      this.next();
      return { kind: 'unary', op: 'not', operand: this.parseNot() };
    }
    return this.parseComparison();
  }
  private parseComparison(): Expr {
    let left = this.parseAdditive();
    for (;;) {
      const t = this.peek();
      if (t.type === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(t.text)) {
        this.next();
        left = { kind: 'binary', op: t.text as BinaryOperator, left, right: this.parseAdditive() };
      } else return left;
    }
  }
  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '+') || this.isOp(t, '-')) {
        this.next();
        left = { kind: 'binary', op: t.text as '+' | '-', left, right: this.parseMultiplicative() };
      } else return left;
    }
  }
  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '*') || this.isOp(t, '/')) {
        this.next();
        left = { kind: 'binary', op: t.text as '*' | '/', left, right: this.parseUnary() };
      } else if (this.isWord(t, 'mod')) {
        this.next();
        left = { kind: 'binary', op: 'mod', left, right: this.parseUnary() };
      } else return left;
    }
  }
  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isOp(t, '-') || this.isOp(t, '+')) {
      this.next();
      return { kind: 'unary', op: t.text as '-' | '+', operand: this.parseUnary() };
    }
    return this.parsePower();
  }
  private parsePower(): Expr {
    const base = this.parsePrimary();
    if (this.isOp(this.peek(), '^')) {
      this.next();
      // Right-associative, and the exponent may carry its own sign: 30^-cons, 30^cons^cons.
      return { kind: 'binary', op: '^', left: base, right: this.parseUnary() };
    }
    return base;
  }
  private parsePrimary(): Expr {
    const t = this.next();
    if (t.type === 'num') return { kind: 'number', value: t.value };
    if (this.isOp(t, '(')) {
      const e = this.parseOr();
      this.expectOp(')');
      return e;
    }
    if (this.isWord(t, 'if')) {
      const condition = this.parseOr();
      if (!this.isWord(this.next(), 'then')) this.fail('expected THEN', this.tokens[this.index - 1]!);
      const then = this.parseOr();
      if (!this.isWord(this.next(), 'else')) this.fail('expected ELSE', this.tokens[this.index - 1]!);
      return { kind: 'if', condition, then, else: this.parseOr() };
    }
    if (t.type === 'name' && !WORD_OPERATORS.has(t.text.toLowerCase())) {
      if (this.isOp(this.peek(), '(')) {
        this.next();
        const args: Expr[] = [];
        if (!this.isOp(this.peek(), ')')) {
          for (;;) {
            args.push(this.parseOr());
            if (this.isOp(this.peek(), ',')) {
              this.next();
              continue;
            }
            break;
          }
        }
        this.expectOp(')');
        return { kind: 'call', fn: canonicalName(t.text), args };
      }
      let subscripts: Subscript[] | null = null;
      if (this.isOp(this.peek(), '[')) {
        this.next();
        subscripts = [];
        for (;;) {
          const s = this.next();
          if (this.isOp(s, '*')) subscripts.push({ kind: 'wildcard' });
          else if (s.type === 'num') subscripts.push({ kind: 'index', value: s.value });
          else if (s.type === 'name') subscripts.push({ kind: 'name', name: canonicalName(s.text) });
          else this.fail('expected a subscript', s);
          if (this.isOp(this.peek(), ',')) {
            this.next();
            continue;
          }
          break;
        }
        this.expectOp(']');
      }
      return { kind: 'ref', name: canonicalName(t.text), subscripts };
    }
    this.fail('expected a number, a name, "(" or IF', t);
  }
}

/**
 * Parses one XMILE equation into an expression tree.
 *
 * @throws EquationSyntaxError naming the position of the first token that does not fit.
 */
export function parseEquation(source: string): Expr {
  return new Parser(tokenize(source), source).parse();
}

/** Returns true when the equation text holds only `{comments}` and blanks. */
export function isBlankEquation(source: string): boolean {
  return source.replace(/\{[^}]*\}/g, '').trim() === '';
}
