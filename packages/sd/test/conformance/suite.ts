/**
 * What the SDXorg suite holds, by inspection of the files (not of twinkit's output). @internal
 */

/** The 14 known-broken `.xmile` files (fixtures README) and why a conforming reader rejects them. */
export const KNOWN_BROKEN: Record<string, string> = {
  'tests/subscript_1d_arrays/test_subscript_1d_arrays.xmile': '<eqn> ??? </eqn>',
  'tests/subscript_constant_call/test_subscript_constant_call.xmile': '<eqn> ??? </eqn>',
  'tests/subscript_mixed_assembly/test_subscript_mixed_assembly.xmile': '<eqn> ??? </eqn>',
  'tests/subscript_multiples/test_multiple_subscripts.xmile': '<eqn> ??? </eqn>',
  'tests/subscript_subranges/test_subscript_subrange.xmile': '<eqn> ??? </eqn>',
  'tests/subscript_subranges_equal/test_subscript_subrange_equal.xmile': '<eqn> ??? </eqn>',
  'tests/subscript_updimensioning/test_subscript_updimensioning.xmile': '<eqn> ??? </eqn>',
  'tests/subscripted_flows/test_subscripted_flows.xmile': '<eqn> ??? </eqn>',
  'tests/macro_expression/test_macro_expression.xmile': 'macro call without a <macro> block',
  'tests/macro_multi_expression/test_macro_multi_expression.xmile': 'macro call without a <macro> block',
  'tests/macro_multi_macros/test_macro_multi_macros.xmile': 'macro call without a <macro> block',
  'tests/macro_stock/test_macro_stock.xmile': 'macro call without a <macro> block',
  'tests/non_negative_flows/test_non_negative_flows.xmile': 'malformed XML (mismatched tag)',
  'tests/non_negative_flows/test_non_negative_flows_behavior.xmile': 'malformed XML (mismatched tag)',
};

/**
 * Well-formed files whose canonical output cannot come from the file as written; each is
 * checked in a way the reason justifies, and listed as such in docs/sd-conformance.md.
 */
export const SUITE_DEFECTS: Record<string, { reason: string; method?: 'euler'; output?: string }> = {
  'tests/zeroled_decimals/test_zeroled_decimals.xmile': {
    reason:
      'the file asks for RK4, but its canonical output was integrated with Euler (stockmixed moves by ' +
      'exactly the flows at the start of each step: -0.6777 after one step where RK4 gives -1.1777); compared with Euler',
    method: 'euler',
  },
  'tests/active_initial/test_active_initial.xmile': {
    reason:
      'the canonical output starts Stock A at 45, the ACTIVE INITIAL value of the Vensim original; the XMILE ' +
      'conversion dropped it (`<eqn>Value_A</eqn>` with Value_A = Time gives 0 at time 0), so no reader of this ' +
      "file can reproduce it; compared instead with the suite's Stella run of the same model (output_stella.csv), " +
      'which starts Stock A at Value_A = 0 as the file says',
    output: 'output_stella.csv',
  },
};

/** The options `checkModel` needs for a model: the method or reference output its defect calls for. */
export function checkOptionsFor(model: string): { method?: 'euler'; outputFile?: string } {
  const defect = SUITE_DEFECTS[model];
  return {
    ...(defect?.method ? { method: defect.method } : {}),
    ...(defect?.output ? { outputFile: defect.output } : {}),
  };
}
