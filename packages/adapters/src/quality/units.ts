import { createRequire } from 'node:module';
import type * as MathJs from 'mathjs';

/** The unit of a pure number (a count, a ratio): no mathjs unit, converts only to itself. */
export const PURE_NUMBER_UNIT = '1';

let mathjs: typeof MathJs | undefined;

/**
 * Loads mathjs on first use, from its single-file bundle. Importing `mathjs` itself evaluates some
 * 900 modules and builds every function (measured ~0.9 s on the CI machine); the bundle of the same
 * version loads in ~60 ms, and only when a unit rule is configured. It is loaded with `require` so
 * that configuring a rule stays synchronous (a unit error is thrown by `qualityCheck()` itself).
 */
function math(): typeof MathJs {
  if (mathjs === undefined) {
    // A require resolved from this module: by its file in the CommonJS build, by its URL in ESM.
    // (Not the `require` identifier: bundled into ESM it becomes a shim that throws.)
    const here = typeof __filename === 'string' ? __filename : import.meta.url;
    mathjs = createRequire(here)('mathjs/lib/browser/math.js') as typeof MathJs;
  }
  return mathjs;
}

/** A conversion `to = from * factor + offset` between two units of the same dimension. */
export interface AffineConversion {
  readonly factor: number;
  readonly offset: number;
}

/** Why a unit cannot be used: not a unit mathjs knows, or not of the dimension of the target. */
export type UnitProblem = { readonly problem: 'unknown' | 'incompatible'; readonly detail: string };

/**
 * Tells whether mathjs knows `unit` (or it is the pure number `'1'`); returns the problem if not.
 */
export function checkUnit(unit: string): UnitProblem | undefined {
  if (unit === PURE_NUMBER_UNIT) return undefined;
  try {
    const parsed = math().unit(1, unit);
    if (parsed.units.length === 0)
      return { problem: 'unknown', detail: `${JSON.stringify(unit)} is not a unit` };
    return undefined;
  } catch (e) {
    return { problem: 'unknown', detail: (e as Error).message };
  }
}

/**
 * Computes the affine conversion from `from` to `to` with mathjs (`degF` to `degC`: factor 5/9,
 * offset -160/9), or says why there is none. Every mathjs unit conversion is affine (a scale and,
 * for temperatures, an offset), so two evaluations give it exactly and readings are then converted
 * with one multiply-add, without mathjs on the hot path. The affinity is checked at a third point.
 */
export function affineConversion(from: string, to: string): AffineConversion | UnitProblem {
  if (from === to) return { factor: 1, offset: 0 };
  if (from === PURE_NUMBER_UNIT || to === PURE_NUMBER_UNIT)
    return {
      problem: 'incompatible',
      detail: `${JSON.stringify(from)} cannot be converted to ${JSON.stringify(to)} (a pure number converts only to '1')`,
    };
  const m = math();
  let convert: (x: number) => number;
  try {
    const source = m.unit(1, from);
    const target = m.unit(1, to);
    if (source.units.length === 0 || target.units.length === 0)
      return {
        problem: 'unknown',
        detail: `${JSON.stringify(source.units.length === 0 ? from : to)} is not a unit`,
      };
    if (!source.equalBase(target))
      return {
        problem: 'incompatible',
        detail: `${JSON.stringify(from)} is not of the dimension of ${JSON.stringify(to)}`,
      };
    convert = (x) => m.unit(x, from).toNumber(to);
  } catch (e) {
    return { problem: 'unknown', detail: (e as Error).message };
  }
  // The factor over a wide span: convert(1) - convert(0) would lose digits to the offset's
  // cancellation (212 degF gave 100.00000000000034 degC; over 1e6 it gives 100, as mathjs does).
  const offset = convert(0);
  const factor = (convert(1e6) - offset) / 1e6;
  const probe = convert(1);
  const expected = offset + factor;
  if (!(Math.abs(probe - expected) <= 1e-9 * Math.max(1, Math.abs(expected))))
    return { problem: 'incompatible', detail: `the conversion ${from} -> ${to} is not affine` };
  return { factor, offset };
}
