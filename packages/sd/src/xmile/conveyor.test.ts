import { describe, expect, it } from 'vitest';
import { xmileDocument } from '../../test/support/xmile-document';
import { simulate } from '../runner';
import { parseXmile } from './xmile';

const doc = (variables: string, specs = '<start>0</start><stop>8</stop><dt>1</dt>') =>
  xmileDocument(variables, specs);

const belt = (conveyor: string, extra = '', outflow = '<flow name="leaving"/>') =>
  doc(`<stock name="belt"><eqn>initial_contents</eqn><inflow>arriving</inflow><outflow>leaving</outflow>
<conveyor>${conveyor}</conveyor></stock>
<aux name="initial contents"><eqn>6</eqn></aux>
<aux name="transit"><eqn>3</eqn></aux>
<flow name="arriving"><eqn>1 + TIME</eqn></flow>
${outflow}${extra}`);

describe('XMILE conveyors', () => {
  it('delays what enters by the transit time and spreads the initial contents evenly', () => {
    // Euler, dt = 1, len 3, contents 6: leaving(t) = 6 / 3 = 2 for t < 3, then arriving(t - 3) = t - 2;
    // belt(t + 1) = belt(t) + arriving(t) - leaving(t).
    for (const dt of [1, 0.5]) {
      const r = simulate(
        parseXmile(
          belt('<len>transit</len>').replace('<dt>1</dt>', `<dt>${dt}</dt><save_step>1</save_step>`),
        ),
      );
      const leaving = r.series('leaving');
      const contents = r.series('belt');
      let level = 6;
      const steps = Math.round(8 / dt);
      const expectedLeaving: number[] = [];
      const expectedBelt: number[] = [];
      for (let k = 0; k <= steps; k++) {
        const t = k * dt;
        const out = t < 3 - 1e-9 ? 2 : 1 + (t - 3);
        if (Math.abs(t - Math.round(t)) < 1e-9) {
          expectedLeaving.push(out);
          expectedBelt.push(level);
        }
        level += dt * (1 + t - out);
      }
      expect(Array.from(leaving)).toEqual(expectedLeaving);
      for (let i = 0; i < contents.length; i++) expect(contents[i]).toBeCloseTo(expectedBelt[i]!, 12);
      // What is on the belt at t is what entered during the last 3 time units (the contents have left).
      const t = 8;
      let onBelt = 0;
      for (let u = t - 3; u < t - 1e-9; u += dt) onBelt += dt * (1 + u);
      expect(contents[8]).toBeCloseTo(onBelt, 12);
    }
  });

  it('refuses what it does not support, naming the construct and the variable', () => {
    expect(() => parseXmile(belt('<len>3</len><capacity>10</capacity>'))).toThrow(
      /variable "belt": conveyor <capacity> is not supported/,
    );
    expect(() =>
      parseXmile(belt('<len>3</len>', '', '<flow name="leaving"><eqn>0.1</eqn><leak/></flow>')),
    ).toThrow(/variable "leaving": <leak\/> \(a conveyor leakage flow, XMILE 4.3\) is not supported/);
    expect(() => parseXmile(belt('<capacity>1</capacity>'))).toThrow(/conveyor <capacity> is not supported/);
    expect(() => parseXmile(belt(''))).toThrow(/variable "belt": conveyor has no <len>/);
    expect(() => simulate(parseXmile(belt('<len>2.5</len>')))).toThrow(
      /variable "leaving".*transit time <len> must be a positive whole multiple of DT \(1\), got 2.5/,
    );
    expect(() => simulate(parseXmile(belt('<len>2 + TIME</len>')))).toThrow(
      /variable "leaving".*transit time <len> of a conveyor must be a constant/,
    );
    expect(() => parseXmile(doc('<stock name="line"><eqn>0</eqn><queue/></stock>'))).toThrow(
      /variable "line": <queue> stocks \(XMILE 4.4\) are not supported/,
    );
  });
});
