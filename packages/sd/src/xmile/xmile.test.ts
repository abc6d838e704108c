import { describe, expect, it } from 'vitest';
import { compileModel } from '../compiler';
import { simulate } from '../runner';
import { parseXmile } from './xmile';
import { parseXml } from './xml';

const doc = (variables: string, extra = '', specs = '<start>0</start><stop>4</stop><dt>1</dt>') =>
  `<?xml version="1.0"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs method="Euler">${specs}</sim_specs>${extra}
<model><variables>
${variables}
</variables></model></xmile>`;

describe('parseXmile', () => {
  it('reads stocks, flows, auxes with XMILE name rules and entities', () => {
    const m = parseXmile(
      doc(`<stock name="Tank Level"><eqn>10</eqn><outflow>Drain_Rate</outflow></stock>
<flow name="drain rate"><eqn>IF "Tank Level" &gt; 8 THEN 1 ELSE 0.5</eqn></flow>`),
    );
    expect(Array.from(simulate(m).series('tank_level'))).toEqual([10, 9, 8, 7.5, 7]);
  });

  it('reads reciprocal dt, save_step and the integration method', () => {
    const m = parseXmile(
      doc(
        '<aux name="a"><eqn>TIME</eqn></aux>',
        '',
        '<start>0</start><stop>2</stop><dt reciprocal="true">4</dt><save_step>1</save_step>',
      ),
    );
    expect(m.specs.dt).toBe(0.25);
    expect(Array.from(simulate(m).times)).toEqual([0, 1, 2]);
  });

  it('reads graphical functions from x-points or an x-scale', () => {
    const m = parseXmile(
      doc(`<aux name="a"><eqn>TIME</eqn><gf><xscale min="0" max="4"/><ypts>0,10,40</ypts></gf></aux>
<gf name="table" type="extrapolate"><xpts sep=";">0;1</xpts><ypts>0,1</ypts></gf>
<aux name="b"><eqn>table(TIME)</eqn></aux>`),
    );
    const r = simulate(m);
    expect(Array.from(r.series('a'))).toEqual([0, 5, 10, 25, 40]);
    expect(Array.from(r.series('b'))).toEqual([0, 1, 2, 3, 4]);
  });

  it('flattens modules with dotted names and connections', () => {
    const m = parseXmile(`<xmile><sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>
<model><variables>
  <module name="inner"><connect to="input" from=".source"/></module>
  <aux name="source"><eqn>3</eqn></aux>
  <aux name="result"><eqn>inner.doubled</eqn></aux>
</variables></model>
<model name="inner"><variables>
  <aux name="input"><eqn>{unconnected default}</eqn></aux>
  <aux name="doubled"><eqn>input * 2</eqn></aux>
</variables></model></xmile>`);
    const r = simulate(m);
    expect(r.final('result')).toBe(6);
    expect(r.final('inner.doubled')).toBe(6);
  });

  it('applies <behavior> non-negative defaults and per-variable overrides', () => {
    const m = parseXmile(
      doc(
        `<stock name="a"><eqn>1</eqn><outflow>f</outflow></stock>
<stock name="b"><eqn>1</eqn><outflow>f</outflow><non_negative>false</non_negative></stock>
<flow name="f"><eqn>1</eqn></flow>`,
        '<behavior><stock><non_negative/></stock></behavior>',
      ),
    );
    const r = simulate(m);
    expect(r.final('a')).toBe(0);
    expect(r.final('b')).toBe(-3);
  });

  it('reports errors naming the file, the line and the variable', () => {
    expect(() => parseXmile('<xmile><model></xmile>', { file: 'bad.xmile' })).toThrow(
      /bad.xmile: malformed XML at line 1: end tag <\/xmile> does not match start tag <model>/,
    );
    expect(() =>
      parseXmile(doc('<stock name="s"><outflow>f</outflow></stock>'), { file: 'm.xmile' }),
    ).toThrow(/m.xmile line 5: variable "s": stock has no initial value/);
    expect(() => parseXmile(doc('<aux name="a"><eqn>???</eqn></aux>'), { file: 'm.xmile' })).toThrow(
      /variable "a": equation is "\?\?\?"/,
    );
    expect(() => parseXmile(doc('<aux name="a"><eqn>MY MACRO(1)</eqn></aux>'), { file: 'm.xmile' })).toThrow(
      /calls "MY MACRO", which is neither a builtin nor defined by a <macro>/,
    );
    expect(() => parseXmile(doc('<table name="a"/>'), { file: 'm.xmile' })).toThrow(
      /<table> is not a supported XMILE variable element/,
    );
    expect(() =>
      parseXmile(
        doc('<aux name="a"><eqn>1</eqn></aux>', '', '<start>0</start><stop>1</stop>').replace(
          'Euler',
          'Gear',
        ),
        { file: 'm.xmile' },
      ),
    ).toThrow(/integration method "Gear" is not supported/);
    const m = parseXmile(doc('<aux name="a"><eqn>WEIRD(1)</eqn></aux>'), { file: 'm.xmile' });
    expect(() => compileModel(m)).toThrow(/variable "a" \(m.xmile line 5\): calls unknown function WEIRD/);
  });
});

describe('parseXml', () => {
  it('reads attributes, CDATA, comments and nested elements', () => {
    const root = parseXml('<a x="1" y=\'&lt;2&gt;\'><!-- c --><b><![CDATA[1 < 2]]></b><c/></a>');
    expect(root.attributes).toEqual({ x: '1', y: '<2>' });
    expect(root.children.map((c) => c.name)).toEqual(['b', 'c']);
    expect(root.children[0]!.text).toBe('1 < 2');
  });
  it('rejects what is not well-formed', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/does not match/);
    expect(() => parseXml('<a>')).toThrow(/never closed/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/unknown entity/);
    expect(() => parseXml('<a/><b/>')).toThrow(/a second root element/);
  });
});
