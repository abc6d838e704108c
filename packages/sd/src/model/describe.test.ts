import { describe, expect, it } from 'vitest';
import { readVensim } from '../vensim';
import { parseXmile } from '../xmile';
import { SdModel } from './model';

describe('units and comments kept as documentation', () => {
  it('reads Vensim ~ units ~ comment | onto the variables, without the [min, max] range', () => {
    const m = readVensim(
      `{UTF-8}
Population= INTEG (
\tbirths,
\t\t100)
\t~\tpeople
\t~\tThe population, \\
\t\tcounted at the start of the year.
\t|
births = Population * rate ~ people/Year ~ |
rate[region] = 0.1, 0.2 ~ 1/Year [0, 1, 0.01] ~ Birth rate by region. |
region: north, south ~ ~ |
INITIAL TIME = 0 ~ Year ~ The initial time for the simulation. |
FINAL TIME = 2 ~ Year ~ |
TIME STEP = 1 ~ Year [0,?] ~ |
SAVEPER = TIME STEP ~ Year ~ |
`,
      { file: 'pop.mdl' },
    );
    expect(m.describeVariable('Population')).toEqual({
      name: 'Population',
      kind: 'stock',
      dimensions: [],
      units: 'people',
      doc: 'The population, counted at the start of the year.',
      source: { file: 'pop.mdl', line: 2 },
    });
    expect(m.describeVariable('births')).toMatchObject({ kind: 'flow', units: 'people/Year' });
    expect(m.describeVariable('births').doc).toBeUndefined();
    expect(m.describeVariable('rate')).toMatchObject({
      dimensions: ['region'],
      units: '1/Year',
      doc: 'Birth rate by region.',
    });
  });

  it('reads XMILE <units> and <doc>, and the units and doc options of a TypeScript model', () => {
    const m = parseXmile(`<?xml version="1.0"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs method="Euler"><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
<model><variables>
<stock name="Tank"><eqn>10</eqn><outflow>drain</outflow><units>litre</units><doc>	Water in the tank.</doc></stock>
<flow name="drain"><eqn>Tank / 5</eqn><units>litre/minute</units></flow>
<aux name="unlabelled"><eqn>1</eqn></aux>
</variables></model></xmile>`);
    expect(m.describeVariable('tank')).toMatchObject({
      kind: 'stock',
      units: 'litre',
      doc: 'Water in the tank.',
    });
    expect(m.describeVariable('drain')).toMatchObject({ kind: 'flow', units: 'litre/minute' });
    expect(m.describeVariable('unlabelled')).toEqual({
      name: 'unlabelled',
      kind: 'aux',
      dimensions: [],
      source: { file: '<xmile>', line: 7 },
    });
    expect(m.describeVariables().map((v) => v.name)).toEqual(['Tank', 'drain', 'unlabelled']);

    const t = new SdModel({ start: 0, stop: 1, dt: 1 });
    t.constant('Room Temperature', 70, { units: 'degF', doc: 'Air around the cup.' });
    t.stock('Cup', { initial: 180, units: 'degF' });
    expect(t.describeVariable('room_temperature')).toMatchObject({
      units: 'degF',
      doc: 'Air around the cup.',
    });
    expect(t.describeVariable('Cup').units).toBe('degF');
    expect(() => t.describeVariable('nothing')).toThrow(
      /describeVariable\(name\): name must designate a variable/,
    );
  });
});
