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

  it('leaks a fraction of what enters evenly over the length, the outflow gets the rest', () => {
    // Two leak flows, fractions 0.25 and 0.05 + 0.01 * TIME (taken when the material enters).
    // Euler with N = 3 / dt steps on the belt, arriving(u) = 1 + u, f(u) = 0.25 + 0.05 + 0.01 u:
    // The initial contents 6 entered at r0 during the 3 time units before the start, with the
    // start's fractions f1 + f2(0) = 0.3, and leaked since: 6 = 3 r0 - (N - 1) * 0.3 * r0 * dt / 2.
    //   spill_i(t) = (1 / N) * sum_{j = 1..N} f_i(u) * arriving(u), u = t - j dt, and for u < 0
    //                f_i(0) * r0 instead
    //   leaving(t) = (1 - 0.3) * r0 for t < 3, else (1 - f(t - 3)) * arriving(t - 3)
    //   belt(t + dt) = belt(t) + dt * (arriving(t) - leaving(t) - spill_1(t) - spill_2(t)).
    const f1 = (_u: number) => 0.25;
    const f2 = (u: number) => 0.05 + 0.01 * u;
    const arriving = (u: number) => 1 + u;
    const leaks = `<flow name="spill 1"><eqn>0.25</eqn><leak/></flow>
<flow name="spill 2"><eqn>0.05 + 0.01 * TIME</eqn><leak/></flow>`;
    for (const dt of [1, 0.5]) {
      const xml = belt('<len>transit</len>', leaks)
        .replace(
          '<outflow>leaving</outflow>',
          '<outflow>spill_1</outflow><outflow>leaving</outflow><outflow>spill_2</outflow>',
        )
        .replace('<dt>1</dt>', `<dt>${dt}</dt><save_step>${dt}</save_step>`);
      const r = simulate(parseXmile(xml));
      const n = 3 / dt;
      const steps = Math.round(8 / dt);
      const r0 = 6 / (3 - ((n - 1) * 0.3 * dt) / 2);
      let level = 6;
      let entered = 0;
      let left = 0;
      for (let k = 0; k <= steps; k++) {
        const t = k * dt;
        const spill = [f1, f2].map((f) => {
          let sum = 0;
          for (let j = 1; j <= n; j++)
            sum += k - j >= 0 ? f((k - j) * dt) * arriving((k - j) * dt) : f(0) * r0;
          return sum / n;
        });
        const out = k < n ? 0.7 * r0 : (1 - f1(t - 3) - f2(t - 3)) * arriving(t - 3);
        expect(r.series('leaving')[k]).toBeCloseTo(out, 12);
        expect(r.series('spill 1')[k]).toBeCloseTo(spill[0]!, 12);
        expect(r.series('spill 2')[k]).toBeCloseTo(spill[1]!, 12);
        expect(r.series('belt')[k]).toBeCloseTo(level, 12);
        // Conservation: contents + everything that left = initial + everything that entered.
        expect(r.series('belt')[k]! + left).toBeCloseTo(6 + entered, 12);
        const sim = [r.series('leaving')[k]!, r.series('spill 1')[k]!, r.series('spill 2')[k]!];
        left += dt * (sim[0]! + sim[1]! + sim[2]!);
        entered += dt * arriving(t);
        level += dt * (arriving(t) - out - spill[0]! - spill[1]!);
      }
      // At t = 8 the belt holds what entered at u = 8 - 3, ..., 8 - dt, each less what it has leaked
      // during the (8 - u) / dt - 1 steps since it entered.
      let onBelt = 0;
      for (let j = 1; j <= n; j++) {
        const u = 8 - j * dt;
        onBelt += dt * arriving(u) * (1 - ((f1(u) + f2(u)) * (j - 1)) / n);
      }
      expect(r.series('belt')[steps]).toBeCloseTo(onBelt, 12);
    }
  });

  it('limits the inflow to the room under the capacity; what is held back stays upstream', () => {
    // Euler, len 3, contents 6, capacity 12, arriving wants 1 + TIME from the stock "source" (100):
    //   arriving(t) = min(1 + t, max(0, (12 - belt(t)) / dt + leaving(t)))
    //   leaving(t) = 2 for t < 3, else arriving(t - 3) (the limited value)
    //   belt(t + dt) = belt(t) + dt * (arriving(t) - leaving(t)), source(t + dt) = source(t) - dt * arriving(t).
    for (const dt of [1, 0.5]) {
      const xml = belt(
        '<len>transit</len><capacity>12</capacity>',
        '<stock name="source"><eqn>100</eqn><outflow>arriving</outflow></stock>',
      ).replace('<dt>1</dt>', `<dt>${dt}</dt><save_step>${dt}</save_step>`);
      const r = simulate(parseXmile(xml));
      const n = 3 / dt;
      const steps = Math.round(8 / dt);
      let level = 6;
      let source = 100;
      const entered: number[] = [];
      let held = false;
      for (let k = 0; k <= steps; k++) {
        const t = k * dt;
        const out = k < n ? 2 : entered[k - n]!;
        const into = Math.min(1 + t, Math.max(0, (12 - level) / dt + out));
        if (into < 1 + t - 1e-9) held = true;
        entered.push(into);
        expect(r.series('arriving')[k]).toBeCloseTo(into, 12);
        expect(r.series('leaving')[k]).toBeCloseTo(out, 12);
        expect(r.series('belt')[k]).toBeCloseTo(level, 12);
        expect(r.series('belt')[k]).toBeLessThanOrEqual(12 + 1e-9);
        expect(r.series('source')[k]).toBeCloseTo(source, 12);
        // Conservation: source + belt + everything that left the belt stays 106.
        level += dt * (into - out);
        source -= dt * into;
      }
      expect(held).toBe(true);
    }
  });

  it('stops the run when the leak fractions add up to more than 1 or less than 0, naming the leak flow', () => {
    const leaky = (f1: string, f2: string) =>
      belt(
        '<len>transit</len>',
        `<flow name="spill 1"><eqn>${f1}</eqn><leak/></flow><flow name="spill 2"><eqn>${f2}</eqn><leak/></flow>`,
      ).replace(
        '<outflow>leaving</outflow>',
        '<outflow>leaving</outflow><outflow>spill_1</outflow><outflow>spill_2</outflow>',
      );
    // 0.5 + 0.1 * TIME passes 1 at TIME = 5: the run goes that far, then stops naming the flow.
    expect(() => simulate(parseXmile(leaky('0.5', '0.1 * TIME')))).toThrow(
      /conveyor leakage flow "spill [12]": the conveyor's leak fractions add up to 1\.1\d* at time 6; they must add up to a number from 0 to 1/,
    );
    expect(() => simulate(parseXmile(leaky('0.2', '-0.3')))).toThrow(/add up to -0\.\d+ at time 0;/);
    expect(simulate(parseXmile(leaky('0.5', '0.5'))).final('leaving')).toBeCloseTo(0, 12);
  });

  it("starts in isee's steady state: contents len * r - (N - 1) * f * r * DT / 2", () => {
    // isee's steady-state initialization of a conveyor with linear leakage: inflow 2, fraction 0.2,
    // len 3, DT 0.5 (N = 6): contents 3 * 2 - 5 * 0.4 * 0.5 / 2 = 5.5, leaving 1.6, leakage 0.4 throughout.
    const xml = belt('<len>transit</len>', '<flow name="spill"><eqn>0.2</eqn><leak/></flow>')
      .replace('<outflow>leaving</outflow>', '<outflow>leaving</outflow><outflow>spill</outflow>')
      .replace('<eqn>1 + TIME</eqn>', '<eqn>2</eqn>')
      .replace('<aux name="initial contents"><eqn>6</eqn>', '<aux name="initial contents"><eqn>5.5</eqn>')
      .replace('<dt>1</dt>', '<dt>0.5</dt><save_step>0.5</save_step>');
    const r = simulate(parseXmile(xml));
    for (let k = 0; k < r.series('belt').length; k++) {
      expect(r.series('belt')[k]).toBeCloseTo(5.5, 12);
      expect(r.series('leaving')[k]).toBeCloseTo(1.6, 12);
      expect(r.series('spill')[k]).toBeCloseTo(0.4, 12);
    }
  });

  it('counts the leaks in the room under the capacity', () => {
    // Capacity 12 and a leak of fraction 0.2 (len 3, contents 6, arriving wants 1 + TIME):
    //   spill(t) = (1 / N) * sum_{j = 1..N} 0.2 * arriving(t - j dt), r0 for t - j dt < 0,
    //   6 = 3 r0 - (N - 1) * 0.2 * r0 * dt / 2 (the initial contents, as in the test above)
    //   leaving(t) = 0.8 * r0 for t < 3, else 0.8 * arriving(t - 3)
    //   arriving(t) = min(1 + t, max(0, (12 - belt(t)) / dt + leaving(t) + spill(t))).
    for (const dt of [1, 0.5]) {
      const xml = belt(
        '<len>transit</len><capacity>12</capacity>',
        '<flow name="spill"><eqn>0.2</eqn><leak/></flow>',
      )
        .replace('<outflow>leaving</outflow>', '<outflow>leaving</outflow><outflow>spill</outflow>')
        .replace('<dt>1</dt>', `<dt>${dt}</dt><save_step>${dt}</save_step>`);
      const r = simulate(parseXmile(xml));
      const n = 3 / dt;
      const steps = Math.round(8 / dt);
      let level = 6;
      let held = false;
      const entered: number[] = [];
      const r0 = 6 / (3 - ((n - 1) * 0.2 * dt) / 2);
      for (let k = 0; k <= steps; k++) {
        const t = k * dt;
        let spill = 0;
        for (let j = 1; j <= n; j++) spill += (0.2 * (k - j >= 0 ? entered[k - j]! : r0)) / n;
        const out = k < n ? 0.8 * r0 : 0.8 * entered[k - n]!;
        const into = Math.min(1 + t, Math.max(0, (12 - level) / dt + out + spill));
        if (into < 1 + t - 1e-9) held = true;
        entered.push(into);
        expect(r.series('arriving')[k]).toBeCloseTo(into, 12);
        expect(r.series('spill')[k]).toBeCloseTo(spill, 12);
        expect(r.series('belt')[k]).toBeCloseTo(level, 12);
        expect(r.series('belt')[k]).toBeLessThanOrEqual(12 + 1e-9);
        level += dt * (into - out - spill);
      }
      expect(held).toBe(true);
    }
  });

  it('offers the whole queue to the conveyor each DT; what does not fit under the capacity waits', () => {
    // Queue "line" (5 at the start, orders = 1 + TIME) feeding the belt (len 3, contents 6, capacity 12):
    //   arriving(t) = min(line(t) / dt, max(0, (12 - belt(t)) / dt + leaving(t)))
    //   leaving(t) = 2 for t < 3, else arriving(t - 3)
    //   line(t + dt) = line(t) + dt * (1 + t - arriving(t)), belt(t + dt) = belt(t) + dt * (arriving(t) - leaving(t)).
    const queue = `<stock name="line"><eqn>5</eqn><inflow>orders</inflow><outflow>arriving</outflow><queue/></stock>
<flow name="orders"><eqn>1 + TIME</eqn></flow>`;
    for (const dt of [1, 0.5]) {
      const xml = belt('<len>transit</len><capacity>12</capacity>', queue)
        .replace('<flow name="arriving"><eqn>1 + TIME</eqn></flow>', '<flow name="arriving"/>')
        .replace('<dt>1</dt>', `<dt>${dt}</dt><save_step>${dt}</save_step>`);
      const r = simulate(parseXmile(xml));
      const n = 3 / dt;
      const steps = Math.round(8 / dt);
      let level = 6;
      let line = 5;
      let held = false;
      const entered: number[] = [];
      for (let k = 0; k <= steps; k++) {
        const t = k * dt;
        const out = k < n ? 2 : entered[k - n]!;
        const into = Math.min(line / dt, Math.max(0, (12 - level) / dt + out));
        if (into < line / dt - 1e-9) held = true;
        entered.push(into);
        expect(r.series('arriving')[k]).toBeCloseTo(into, 12);
        expect(r.series('line')[k]).toBeCloseTo(line, 12);
        expect(r.series('belt')[k]).toBeCloseTo(level, 12);
        level += dt * (into - out);
        line += dt * (1 + t - into);
      }
      expect(held).toBe(true);
    }
  });

  it('refuses what it does not support, naming the construct and the variable', () => {
    expect(() => parseXmile(belt('<len>3</len><in_limit>10</in_limit>'))).toThrow(
      /variable "belt": conveyor <in_limit> is not supported/,
    );
    expect(() =>
      parseXmile(
        belt('<len>3</len><capacity>10</capacity>', '<flow name="more"><eqn>1</eqn></flow>').replace(
          '<inflow>arriving</inflow>',
          '<inflow>arriving</inflow><inflow>more</inflow>',
        ),
      ),
    ).toThrow(/variable "belt": conveyor <capacity> with 2 inflows is not supported/);
    expect(() =>
      parseXmile(
        belt(
          '<len>3</len><capacity>10</capacity>',
          `<stock name="first"><eqn>0</eqn><inflow>feed</inflow><outflow>arriving</outflow><conveyor><len>2</len></conveyor></stock>
<flow name="feed"><eqn>1</eqn></flow>`,
        ).replace('<flow name="arriving"><eqn>1 + TIME</eqn></flow>', '<flow name="arriving"/>'),
      ),
    ).toThrow(
      /variable "belt": conveyor <capacity> fed by another conveyor's outflow "arriving" is not supported/,
    );
    // The only outflow is a leak: nothing would leave at the end.
    expect(() =>
      parseXmile(belt('<len>3</len>', '', '<flow name="leaving"><eqn>0.1</eqn><leak/></flow>')),
    ).toThrow(/variable "belt": conveyor has 0 outflows that are not leaks/);
    expect(() => parseXmile(doc('<flow name="spill"><eqn>0.1</eqn><leak/></flow>'))).toThrow(
      /variable "spill": <leak\/> flow is not an outflow of a conveyor/,
    );
    for (const option of ['<leak_integers/>', '<leak_start>0.5</leak_start>', '<leak_end>0.5</leak_end>']) {
      expect(() =>
        parseXmile(
          belt('<len>3</len>', `<flow name="spill"><eqn>0.1</eqn><leak/>${option}</flow>`).replace(
            '<outflow>leaving</outflow>',
            '<outflow>leaving</outflow><outflow>spill</outflow>',
          ),
        ),
      ).toThrow(/variable "spill": <leak_\w+> of a conveyor leakage flow is not supported/);
    }
    expect(() =>
      parseXmile(belt('<len>3</len><capacity>12</capacity>').replace('method="Euler"', 'method="RK4"')),
    ).toThrow(
      /variable "belt": conveyor <capacity> is supported with Euler integration only \(the file asks for rk4\)/,
    );
    expect(() => parseXmile(belt('<len>3</len><exponential_leak/>'))).toThrow(
      /conveyor <exponential_leak> is not supported/,
    );
    expect(() => parseXmile(belt('<sample>1</sample>'))).toThrow(/conveyor <sample> is not supported/);
    expect(() => parseXmile(belt(''))).toThrow(/variable "belt": conveyor has no <len>/);
    expect(() => simulate(parseXmile(belt('<len>2.5</len>')))).toThrow(
      /variable "leaving".*transit time <len> must be a positive whole multiple of DT \(1\), got 2.5/,
    );
    expect(() => simulate(parseXmile(belt('<len>2 + TIME</len>')))).toThrow(
      /variable "leaving".*transit time <len> of a conveyor must be a constant/,
    );
    expect(() => parseXmile(doc('<stock name="line"><eqn>0</eqn><queue/></stock>'))).toThrow(
      /variable "line": <queue> with 0 outflows is not supported/,
    );
    expect(() =>
      parseXmile(
        doc('<stock name="line"><eqn>0</eqn><outflow>away</outflow><queue/></stock><flow name="away"/>'),
      ),
    ).toThrow(
      /variable "line": <queue> whose outflow "away" is not the inflow of a conveyor is not supported/,
    );
    expect(() =>
      parseXmile(
        doc(
          '<stock name="line"><eqn>0</eqn><outflow>away</outflow><queue><batch_integrity/></queue></stock>',
        ),
      ),
    ).toThrow(/variable "line": <queue> option <batch_integrity> is not supported/);
    expect(() =>
      parseXmile(
        doc(
          '<stock name="line"><eqn>0</eqn><outflow>away</outflow><queue/><discrete/></stock><flow name="away"/>',
        ),
      ),
    ).toThrow(/variable "line": discrete queues are not supported/);
  });
});
