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
      'conversion dropped it (`<eqn>Value_A</eqn>` with Value_A = Time gives 0 at time 0, and neither an ' +
      '`<init_eqn>` nor `ACTIVE_INITIAL(...)`, the XMILE forms twinkit reads), so no reader of this ' +
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

/**
 * The `.mdl` files of the suite twinkit refuses, and the construct the refusal must name (the
 * message also names the file, the variable where there is one, and the line).
 */
export const MDL_REJECTED: Record<string, string> = {
  'tests/allocate_available/test_allocate_available.mdl': 'ALLOCATE AVAILABLE',
  'tests/dynamic_final_time/test_dynamic_final_time.mdl': 'FINAL TIME must be a constant',
};

/** `.mdl` files whose canonical output cannot be reproduced as is; each is checked as the reason says. */
export const MDL_SUITE_DEFECTS: Record<
  string,
  { reason: string; tolerance?: number; expect?: 'rejected' | 'not compared'; detail?: string }
> = {
  'samples/Roessler_Chaos/roessler_chaos.mdl': {
    reason:
      'a chaotic system over 3,200 steps: the output file holds 6 significant digits and the trajectories ' +
      'part slowly (x differs by 2e-7 at time 6, 7e-5 at time 50, 4e-4 at time 75; dzdt by 6e-3 at time 64), ' +
      'so it is compared at rtol = atol = 1e-2',
    tolerance: 1e-2,
  },
  'tests/data_from_other_model/model_to_generate_data.mdl': {
    reason:
      "the directory's output.tab is the output of test_data_from_other_model.mdl (its columns out1, out2, stock are not in this model), so there is no output of its own to compare with",
    expect: 'not compared',
  },
  'samples/Query_file/Query_file.mdl': {
    reason:
      "draws RANDOM UNIFORM numbers: twinkit draws them from the simulation's random streams, not Vensim's generator, so no run can match Vensim's output; run without a random source it is refused by name",
    expect: 'rejected',
    detail: 'random builtins',
  },
};

/** `.mdl` models run with data files, as Vensim ran them (its `-d` option, PySD's `data_files`). */
export const MDL_DATA_FILES: Record<string, string[]> = {
  'tests/data_from_other_model/test_data_from_other_model.mdl': ['data.tab'],
};

/** The options `checkModel` needs for an `.mdl` model. */
export function mdlCheckOptionsFor(model: string): {
  rtol?: number;
  atol?: number;
  vensim?: { dataFiles: string[] };
} {
  const t = MDL_SUITE_DEFECTS[model]?.tolerance;
  const data = MDL_DATA_FILES[model];
  return {
    ...(t === undefined ? {} : { rtol: t, atol: t }),
    ...(data ? { vensim: { dataFiles: data } } : {}),
  };
}
