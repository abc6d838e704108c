import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCanonicalOutput } from '../../test/conformance/conformance';
import { simulate } from '../runner';
import { parseXmile, XmileError } from './xmile';

const suite = fileURLToPath(new URL('../../../../fixtures/sd-test-models/tests/', import.meta.url));

const doc = (macros: string, variables: string, stop = 1) =>
  `<?xml version="1.0"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs method="Euler"><start>0</start><stop>${stop}</stop><dt>1</dt></sim_specs>
${macros}
<model><variables>
${variables}
</variables></model></xmile>`;

const callers = `<aux name="macro input"><eqn>5</eqn></aux>
<aux name="macro parameter"><eqn>1.1</eqn></aux>
<aux name="macro output"><eqn>EXPRESSION_MACRO(macro_input, macro_parameter)</eqn></aux>`;

const EXPRESSION_MACRO = `<macro name="EXPRESSION MACRO"><parm>input</parm><parm>parameter</parm>
<eqn>input * parameter</eqn></macro>`;

/**
 * XMILE renditions of the suite's Vensim macro tests (the suite's own .xmile files of these tests
 * call the macro but lost its <macro> block in conversion), run against Vensim's output.tab.
 */
const RENDITIONS: Record<string, string> = {
  macro_expression: doc(EXPRESSION_MACRO, callers),
  macro_multi_expression: doc(
    `<macro name="EXPRESSION MACRO"><parm>input</parm><parm>parameter</parm>
<eqn>input * intermediate</eqn>
<variables><aux name="intermediate"><eqn>parameter * 3</eqn><units>myunit</units></aux></variables>
</macro>`,
    callers,
  ),
  macro_multi_macros: doc(
    `${EXPRESSION_MACRO}
<macro name="SECOND MACRO"><parm>input</parm><parm>parameter</parm><eqn>input / parameter</eqn></macro>`,
    `${callers}
<aux name="second macro output"><eqn>SECOND_MACRO(macro_input, macro_parameter)</eqn></aux>`,
  ),
  // EXPRESSION MACRO = INTEG(input, parameter): a stock with initial value `parameter`, inflow `input`.
  macro_stock: doc(
    `<macro name="EXPRESSION MACRO"><parm>input</parm><parm>parameter</parm>
<eqn>level</eqn>
<variables>
<stock name="level"><eqn>parameter</eqn><inflow>change</inflow></stock>
<flow name="change"><eqn>input</eqn></flow>
</variables></macro>`,
    callers,
    10,
  ),
};

/**
 * The <macro> blocks the suite's .xmile files lost, as xmutil (the converter that wrote them) writes
 * them: the output is a variable named after the macro (`<eqn>EXPRESSION MACRO</eqn>`, blanks
 * included) and INTEG(input, parameter) becomes a stock whose inflow is `<flow name="input"/>`,
 * the parameter itself. Calls keep the blanks too: `EXPRESSION MACRO(macro_input, ...)`.
 */
const XMUTIL = (name: string, body: string) =>
  `<macro name="${name}"><eqn>${name}</eqn><parm>input</parm><parm>parameter</parm>
<variables>${body}</variables><views><view/></views></macro>`;
const EXPRESSION_AUX = XMUTIL(
  'EXPRESSION MACRO',
  '<aux name="EXPRESSION MACRO"><doc>tests basic macro</doc><eqn>input*parameter</eqn><units>input</units></aux>',
);
const LOST_BLOCKS: Record<string, string> = {
  macro_expression: EXPRESSION_AUX,
  macro_multi_expression: XMUTIL(
    'EXPRESSION MACRO',
    `<aux name="EXPRESSION MACRO"><eqn>input*intermediate</eqn></aux>
<aux name="intermediate"><eqn>parameter*3</eqn><units>myunit</units></aux>`,
  ),
  macro_multi_macros: `${EXPRESSION_AUX}
${XMUTIL('SECOND MACRO', '<aux name="SECOND MACRO"><eqn>input/parameter</eqn></aux>')}`,
  macro_stock: XMUTIL(
    'EXPRESSION MACRO',
    `<flow name="input"/>
<stock name="EXPRESSION MACRO"><inflow>input</inflow><eqn>parameter</eqn><units>input</units></stock>`,
  ),
};

function compareWithVensim(test: string, xmile: string): number {
  const expected = parseCanonicalOutput(readFileSync(`${suite}${test}/output.tab`, 'utf8'), '\t');
  const r = simulate(parseXmile(xmile, { file: `${test}.xmile` }));
  expect([...r.times]).toEqual(expected.times);
  let compared = 0;
  for (const [key, column] of expected.columns) {
    if (!r.has(key)) continue;
    compared++;
    const got = r.series(key);
    column.values.forEach((want, i) => {
      expect(Math.abs(got[i]! - want), `${column.name} at ${expected.times[i]}`).toBeLessThanOrEqual(
        1e-5 + 1e-5 * Math.abs(want),
      );
    });
  }
  return compared;
}

describe('XMILE macros (<macro>), against Vensim output of the suite macro tests', () => {
  for (const [test, xmile] of Object.entries(RENDITIONS)) {
    it(`${test} matches Vensim's output.tab (rtol = atol = 1e-5)`, () => {
      expect(compareWithVensim(test, xmile)).toBeGreaterThanOrEqual(3);
      const r = simulate(parseXmile(xmile));
      expect(r.has('macro output')).toBe(true);
    });
  }

  for (const [test, block] of Object.entries(LOST_BLOCKS)) {
    it(`the suite's ${test}.xmile with its <macro> block restored as xmutil writes it matches Vensim's output.tab`, () => {
      const text = readFileSync(`${suite}${test}/test_${test}.xmile`, 'utf8');
      expect(text).not.toContain('<macro');
      const restored = text.replace('<model>', `${block}\n<model>`);
      expect(compareWithVensim(test, restored)).toBeGreaterThanOrEqual(3);
    });
  }

  it("macro_cross_reference (a macro calling another, no .xmile in the suite) matches Vensim's output.tab", () => {
    const xmile = doc(
      `${XMUTIL('SECOND MACRO', '<aux name="SECOND MACRO"><eqn>input / parameter</eqn></aux>')}
${XMUTIL('EXPRESSION MACRO', '<aux name="EXPRESSION MACRO"><eqn>SECOND MACRO(input,parameter)</eqn></aux>')}`,
      callers.replace('EXPRESSION_MACRO(', 'EXPRESSION MACRO('),
    );
    expect(compareWithVensim('macro_cross_reference', xmile)).toBeGreaterThanOrEqual(3);
  });

  it('gives a macro with a stock one stock per call, named after the macro and the call', () => {
    const model = parseXmile(
      doc(
        `<macro name="accumulate"><parm>rate</parm><parm default="10">start</parm>
<eqn>level</eqn>
<variables>
<stock name="level"><eqn>start</eqn><inflow>adding</inflow></stock>
<flow name="adding"><eqn>rate</eqn></flow>
</variables></macro>`,
        `<aux name="a"><eqn>accumulate(1)</eqn></aux>
<aux name="b"><eqn>accumulate(2, 100) + accumulate(TIME, 0)</eqn></aux>`,
        4,
      ),
    );
    const r = simulate(model);
    // a: 10 + t; b: (100 + 2t) + sum_{s<t} s (Euler, dt 1) = 100 + 2t + t(t-1)/2.
    expect([...r.series('a')]).toEqual([10, 11, 12, 13, 14]);
    expect([...r.series('b')]).toEqual([0, 1, 2, 3, 4].map((t) => 100 + 2 * t + (t * (t - 1)) / 2));
    expect([...r.series('accumulate 1 level')]).toEqual([10, 11, 12, 13, 14]);
    expect([...r.series('accumulate 2 level')]).toEqual([100, 102, 104, 106, 108]);
    expect([...r.series('accumulate 3 level')]).toEqual([0, 0, 1, 3, 6]);
    expect(model.describeVariable('accumulate 2 level').kind).toBe('stock');
  });

  it("runs the spec's SMOOTH1 macro (a stock, a default that is another parameter) as the SMTH1 builtin", () => {
    const r = simulate(
      parseXmile(
        doc(
          `<macro name="SMOOTH1"><parm>input</parm><parm>averaging_time</parm><parm default="input">initial</parm>
<eqn>Smooth_of_Input</eqn>
<variables>
<stock name="Smooth_of_Input"><eqn>initial</eqn><inflow>change_in_smooth</inflow></stock>
<flow name="change_in_smooth"><eqn>(input - Smooth_of_Input)/averaging_time</eqn></flow>
</variables></macro>
<macro name="LOG"><parm>x</parm><parm>base</parm><eqn>LN(x)/LN(base)</eqn>
<format><![CDATA[LOG(<value>, <base>)]]></format><doc>base-base logarithm</doc></macro>`,
          `<aux name="input"><eqn>STEP(10, 2) + TIME</eqn></aux>
<aux name="by macro"><eqn>SMOOTH1(input, 3)</eqn></aux>
<aux name="by builtin"><eqn>SMTH1(input, 3)</eqn></aux>
<aux name="from 5"><eqn>SMOOTH1(input, 3, 5)</eqn></aux>
<aux name="by builtin from 5"><eqn>SMTH1(input, 3, 5)</eqn></aux>
<aux name="log of 256"><eqn>LOG(256, 2)</eqn></aux>`,
          12,
        ),
      ),
    );
    const near = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 12);
    };
    near(r.series('by macro'), r.series('by builtin'));
    near(r.series('from 5'), r.series('by builtin from 5'));
    expect(r.series('from 5')[0]).toBe(5);
    expect(r.series('log of 256')[0]).toBeCloseTo(8, 12);
  });

  it('takes a default that uses an earlier parameter, and macros calling macros', () => {
    const r = simulate(
      parseXmile(
        doc(
          `<macro name="twice"><parm>x</parm><eqn>2 * x</eqn></macro>
<macro name="scaled"><parm>x</parm><parm default="x + 1">factor</parm><eqn>twice(x) * factor</eqn></macro>`,
          `<aux name="p"><eqn>3</eqn></aux>
<aux name="one"><eqn>scaled(p)</eqn></aux>
<aux name="two"><eqn>IF p > 2 THEN scaled(p, 10) ELSE 0</eqn></aux>`,
        ),
      ),
    );
    expect(r.series('one')[0]).toBe(24);
    expect(r.series('two')[0]).toBe(60);
  });

  it('expands a call inside a module beside the module variables', () => {
    const xmile = `<?xml version="1.0"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
<macro name="acc"><parm>r</parm><eqn>s</eqn><variables>
<stock name="s"><eqn>0</eqn><inflow>f</inflow></stock><flow name="f"><eqn>r</eqn></flow></variables></macro>
<model><variables><module name="m"/><aux name="top"><eqn>acc(2)</eqn></aux></variables></model>
<model name="m"><variables><aux name="k"><eqn>3</eqn></aux><aux name="out"><eqn>acc(k)</eqn></aux></variables></model>
</xmile>`;
    const r = simulate(parseXmile(xmile));
    expect([...r.series('m.out')]).toEqual([0, 3, 6]);
    expect([...r.series('top')]).toEqual([0, 2, 4]);
    expect(r.has('m.acc 1 s')).toBe(true);
  });

  const refused = (macros: string, variables: string, pattern: RegExp) => {
    let error: unknown;
    try {
      parseXmile(doc(macros, variables), { file: 'm.xmile' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XmileError);
    expect((error as Error).message).toMatch(pattern);
  };

  it('refuses a call with the wrong number of arguments, naming the macro, the variable and the line', () => {
    const m = `<macro name="pair"><parm>a</parm><parm default="1">b</parm><eqn>a + b</eqn></macro>`;
    refused(
      m,
      '<aux name="x"><eqn>pair(1, 2, 3)</eqn></aux>',
      /^m\.xmile line 6: variable "x": calls macro pair with 3 arguments; it takes 1 to 2$/,
    );
    refused(
      m,
      '<aux name="x"><eqn>pair()</eqn></aux>',
      /line 6: variable "x": calls macro pair with 0 arguments/,
    );
  });

  it('refuses recursive macros, naming the macro, the variable and the line', () => {
    refused(
      '<macro name="loop"><parm>a</parm><eqn>loop(a)</eqn></macro>',
      '<aux name="x"><eqn>loop(1)</eqn></aux>',
      /line 6: variable "x": macro loop calls itself \(loop -> loop\)/,
    );
    refused(
      `<macro name="ping"><parm>a</parm><eqn>v</eqn><variables><aux name="v"><eqn>pong(a)</eqn></aux></variables></macro>
<macro name="pong"><parm>a</parm><eqn>ping(a)</eqn></macro>`,
      '<aux name="x"><eqn>ping(1)</eqn></aux>',
      /line 4: variable "ping 1 v": macro ping calls itself \(ping -> pong -> ping\)/,
    );
  });

  it('refuses a name that is neither a parameter nor a variable of the macro', () => {
    refused(
      '<macro name="m1"><parm>a</parm><eqn>a * b</eqn></macro>',
      '<aux name="b"><eqn>1</eqn></aux><aux name="x"><eqn>m1(1)</eqn></aux>',
      /line 4: macro m1: its <eqn> uses "b", which is neither a parameter \(<parm>\) nor a variable of the macro/,
    );
    refused(
      `<macro name="m1"><parm>a</parm><eqn>v</eqn>
<variables><aux name="v"><eqn>a + rate</eqn></aux></variables></macro>`,
      '<aux name="x"><eqn>m1(1)</eqn></aux>',
      /line 5: variable "v": macro m1: aux uses "rate", which is neither a parameter/,
    );
  });

  it('refuses a model variable with the name of a macro', () => {
    refused(
      '<macro name="smooth it"><parm>a</parm><eqn>a</eqn></macro>',
      '<aux name="smooth_it"><eqn>1</eqn></aux>',
      /line 6: variable "smooth_it": has the name of macro smooth it \(line 4\)/,
    );
  });

  it('refuses what macros do not support by name', () => {
    const cases: [string, RegExp][] = [
      ['<macro name="m1"><parm>a</parm></macro>', /macro m1 needs one <eqn>/],
      ['<macro><eqn>1</eqn></macro>', /a <macro> has no name/],
      [
        '<macro name="m1"><sim_specs><dt>0.5</dt></sim_specs><eqn>1</eqn></macro>',
        /macro m1: <sim_specs> in a macro/,
      ],
      [
        '<macro name="m1"><parm>a</parm><eqn>1</eqn><variables><module name="x"/></variables></macro>',
        /macro m1: modules inside a macro are not supported/,
      ],
      [
        '<macro name="m1"><parm>a</parm><eqn>v</eqn><variables><aux name="v"><eqn>a</eqn><dimensions><dim name="d"/></dimensions></aux></variables></macro>',
        /variable "v": macro m1: <dimensions> inside a macro is not supported/,
      ],
      [
        '<macro name="m1"><parm default="1">a</parm><parm>b</parm><eqn>a</eqn></macro>',
        /macro m1: parameter b has no default but follows one that has/,
      ],
      [
        '<macro name="m1"><eqn>1</eqn></macro><macro name="M1"><eqn>2</eqn></macro>',
        /macro M1 is defined twice/,
      ],
    ];
    for (const [macros, pattern] of cases) refused(macros, '<aux name="x"><eqn>1</eqn></aux>', pattern);
    refused(
      '<macro name="m1"><parm>a</parm><eqn>a</eqn></macro>',
      '<aux name="x"><dimensions><dim name="d"/></dimensions><eqn>m1(1)</eqn></aux>',
      /variable "x": calls macro m1 in an arrayed equation/,
    );
  });

  it('keeps rejecting the suite .xmile files whose <macro> blocks were lost, naming the call', () => {
    const text = readFileSync(`${suite}macro_stock/test_macro_stock.xmile`, 'utf8');
    expect(() => parseXmile(text, { file: 'test_macro_stock.xmile' })).toThrow(
      /calls "EXPRESSION MACRO", which is neither a builtin nor defined by a <macro>/,
    );
  });
});
