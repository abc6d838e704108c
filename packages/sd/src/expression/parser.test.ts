import { describe, expect, it } from 'vitest';
import { EquationSyntaxError, parseEquation } from './parser';

describe('parseEquation', () => {
  it('gives ^ precedence over unary minus and makes it right-associative', () => {
    expect(parseEquation('-2^2')).toEqual({
      kind: 'unary',
      op: '-',
      operand: {
        kind: 'binary',
        op: '^',
        left: { kind: 'number', value: 2 },
        right: { kind: 'number', value: 2 },
      },
    });
    const e = parseEquation('a ^ b ^ c');
    expect(e).toMatchObject({ op: '^', left: { name: 'a' }, right: { op: '^', left: { name: 'b' } } });
    expect(parseEquation('30^-x')).toMatchObject({ op: '^', right: { kind: 'unary', op: '-' } });
  });

  it('reads IF THEN ELSE, word operators in any case, = as comparison and <>', () => {
    expect(parseEquation('IF a = 1 AnD NoT b <> 2 THEN 1 ELSE 0')).toMatchObject({
      kind: 'if',
      condition: { op: 'and', left: { op: '=' }, right: { kind: 'unary', op: 'not', operand: { op: '<>' } } },
    });
    expect(parseEquation('x mod 3')).toMatchObject({ op: 'mod' });
  });

  it('canonicalises quoted, dotted and spaced names and skips {comments}', () => {
    expect(parseEquation('"Teacup Temperature" {the tea}')).toEqual({
      kind: 'ref',
      name: 'teacup_temperature',
      subscripts: null,
    });
    expect(parseEquation('hares.Hare_Density')).toMatchObject({ name: 'hares.hare_density' });
    expect(parseEquation('"Aux_with_$peC!@|_characters"')).toMatchObject({
      name: 'aux_with_$pec!@|_characters',
    });
  });

  it('reads subscripts, wildcards and calls', () => {
    expect(parseEquation('SUM(x[*, B]) + y[1]')).toMatchObject({
      left: {
        kind: 'call',
        fn: 'sum',
        args: [{ subscripts: [{ kind: 'wildcard' }, { kind: 'name', name: 'b' }] }],
      },
      right: { subscripts: [{ kind: 'index', value: 1 }] },
    });
    expect(parseEquation('PI()')).toEqual({ kind: 'call', fn: 'pi', args: [] });
    expect(parseEquation('.5e1')).toEqual({ kind: 'number', value: 5 });
  });

  it('names the position of a syntax error', () => {
    expect(() => parseEquation('a +* b')).toThrow(EquationSyntaxError);
    expect(() => parseEquation('a +* b')).toThrow(/at character 4 of "a \+\* b"/);
    expect(() => parseEquation('IF a THEN b')).toThrow(/expected ELSE, found end of equation/);
    expect(() => parseEquation('(a')).toThrow(/expected "\)"/);
  });
});
