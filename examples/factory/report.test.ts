import { beforeAll, describe, expect, it } from 'vitest';
import { crewName, type Decisions } from './decisions';
import { SAME_MARKER } from './format';
import { decisionText, type ReportData, renderReport } from './report';
import { FIXTURE_PARAMS, FIXTURE_SETTINGS, fixtureDecisions, reportFixture } from './test/report-fixture';

/** The sections of the report, in order. */
const SECTIONS = [
  'decision',
  'maintenance',
  'crews',
  'plans',
  'forecast',
  'sync',
  'floor',
  'glossary',
  'appendix',
];

function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}

/** What a reader sees: the text outside tags (and SVG's `<text>` elements), styles left out. */
function visibleText(html: string): string {
  return decode(
    html
      .replace(/<style>[\s\S]*?<\/style>/g, ' ')
      .replace(/<title>[\s\S]*?<\/title>/g, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' '),
  );
}

/** The HTML of a section: from its h2 to the next h2. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<h2 id="${id}"`);
  expect(start, `section #${id}`).toBeGreaterThan(0);
  const end = html.indexOf('<h2 ', start + 1);
  return html.slice(start, end < 0 ? undefined : end);
}

/** The body: everything but the appendix. */
function body(html: string): string {
  return html.slice(0, html.indexOf('<h2 id="appendix"'));
}

/** The cells of every table row of some HTML, as visible text. */
function rows(html: string): string[][] {
  return [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => visibleText(c[1]!).trim()),
  );
}

let data: ReportData;
let html: string;

beforeAll(async () => {
  data = reportFixture();
  html = await renderReport(data);
}, 60_000);

describe('the fixture', () => {
  it('holds the cases the report must handle', () => {
    const d = data.decisions;
    const [asIs, stressed] = d.crews;
    expect(asIs!.recommendation.crew).toBe(2);
    // The stressed plant's cost curve has an interior minimum, at the recommended crew.
    const costs = stressed!.crews.map(
      (n) => stressed!.comparison.scenarios[crewName(n)]!.outputs.totalCost!.mean,
    );
    const lowest = costs.indexOf(Math.min(...costs));
    expect(lowest).toBeGreaterThan(0);
    expect(lowest).toBeLessThan(costs.length - 1);
    expect(stressed!.crews[lowest]).toBe(stressed!.recommendation.crew);
    // Censored quantiles; degenerate and non-significant differences.
    expect(d.forecast.life[1]!.median.censored).toBe(true);
    expect(d.forecast.life[2]!.window).toBeNull();
    expect(asIs!.recommendation.against.find((a) => a.scenario === crewName(5))!.degenerate).toBe(true);
    expect(d.maintenance.downtimeSaved.significant).toBe(false);
    expect(d.maintenance.saving.significant).toBe(true);
    expect(d.maintenance.plan).toEqual([{ machine: 0, at: 14 * 1440 + 480 }]);
  });
});

describe('the decision paragraph', () => {
  const decisions = fixtureDecisions(FIXTURE_PARAMS);
  const text = decisionText(decisions, FIXTURE_PARAMS, FIXTURE_SETTINGS);

  it('names the crew, its saving against the current crew, the machines to maintain by date, and the plan', () => {
    expect(
      text.startsWith(
        'Crew: 2 technicians, the cheapest crew whose machines are down at most 2% of the time',
      ),
    ).toBe(true);
    // Three technicians fewer for 30 days at 60 an hour: 129,600 less, the same in every replication.
    expect(text).toContain(
      'against the current 5 technicians it saves €129,600 (the same in every replication)',
    );
    expect(text).toContain('maintain machine 1 at Mon 19 Jan 2026 14:00 UTC');
    expect(text).toMatch(
      /saves €2,\d{3} \(95% paired interval €[\d,]+ to €[\d,]+\) against running to failure/,
    );
    expect(text).toMatch(/raises throughput by 0\.8\d+ parts\/h \(95% paired interval/);
  });

  it('says "now" of a maintenance due at the twin\'s present (its window opens before the next shift)', () => {
    const d = fixtureDecisions(FIXTURE_PARAMS);
    const due = { ...d, maintenance: { ...d.maintenance, plan: [{ machine: 0, at: d.forecast.start }] } };
    const now = decisionText(due, FIXTURE_PARAMS, FIXTURE_SETTINGS);
    expect(now).toContain('maintain machine 1 now (Mon 19 Jan 2026 07:40 UTC)');
    expect(now).not.toContain('at now');
  });

  it('gives the number of replications behind the intervals, per study when they differ', () => {
    expect(text).toContain('(paired intervals over 20 replications with common random numbers;');
    const d = fixtureDecisions(FIXTURE_PARAMS);
    const scenarios = Object.fromEntries(
      Object.entries(d.maintenance.comparison.scenarios).map(([k, v]) => [k, { ...v, replications: 100 }]),
    );
    const more = {
      ...d,
      maintenance: { ...d.maintenance, comparison: { ...d.maintenance.comparison, scenarios } },
    };
    expect(decisionText(more, FIXTURE_PARAMS, FIXTURE_SETTINGS)).toContain(
      '(paired intervals over 20 (the crews), 100 (maintenance) and 20 (the plans) replications',
    );
  });

  it('says how sure it is and what would change it', () => {
    expect(text).toContain('the maintenance saving, the throughput gain and the OEE change exclude zero');
    expect(text).toContain(
      'the crew’s cost against 1 technician (which misses the downtime target) include zero (no detectable difference)',
    );
    // A technician for 30 days costs 60 × 24 × 30 = 43,200: the downtime it must save at 900 an hour.
    expect(text).toContain(`more than ${(60 * 24 * 30) / 900} machine-hours of downtime per 30 days`);
    expect(text).toContain('on the stressed plant, with wear 20× faster');
    expect(text).toContain('the answer becomes 3 technicians');
  });

  it('is plain text, or HTML with the answers in bold', () => {
    expect(text).not.toMatch(/[<>\uE000\uE001]/);
    const marked = decisionText(decisions, FIXTURE_PARAMS, FIXTURE_SETTINGS, true);
    expect(marked).toContain('Crew: <b>2 technicians</b>');
    expect(decode(marked.replace(/<\/?b>/g, ''))).toBe(text);
  });

  it('writes a degenerate interval in words and keeps the current crew when it is the cheapest', () => {
    expect(text).not.toMatch(/€129,600 to €129,600|\[€129,600, €129,600\]/);
    const keep = decisionText(decisions, { ...FIXTURE_PARAMS, technicians: 2 }, FIXTURE_SETTINGS);
    expect(keep).toContain('it is the current crew: keep it.');
    const other: Decisions = {
      ...decisions,
      maintenance: { ...decisions.maintenance, plan: [] },
    };
    const dollars = decisionText(other, FIXTURE_PARAMS, { currency: 'USD' });
    expect(dollars).toContain('Maintenance: none needed in the next 168 h: no machine fails within it');
    expect(dollars).toContain('it saves $129,600 (the same in every replication)');
    expect(dollars).not.toContain('maintenance saving');
  });
});

describe('the report', () => {
  it('leads with the decision paragraph right after the title', () => {
    const afterTitle = html.slice(html.indexOf('</h1>') + 5).trimStart();
    const first = /^<p class="decision">([\s\S]*?)<\/p>/.exec(afterTitle);
    expect(first).not.toBeNull();
    const text = visibleText(first![1]!);
    expect(text).toContain('Crew: 2 technicians');
    expect(text).toContain('machine 1 at Mon 19 Jan 2026 14:00 UTC');
  });

  it('has its sections in order', () => {
    const ids = [...html.matchAll(/<h2 id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(SECTIONS);
  });

  it('titles every y-axis of every plot, a continuous one with its unit', () => {
    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    // Two cost curves, fan, Gantt, health, error, telemetry, floor.
    expect(svgs.length).toBe(8);
    let plotsWithAxes = 0;
    for (const svg of svgs) {
      // Vega labels every axis for screen readers: "Y-axis titled 'health (%)' for a linear scale ...".
      const axes = [...svg.matchAll(/aria-label="Y-axis( titled '([^']*)')? for a (\w+) scale/g)];
      if (axes.length > 0) plotsWithAxes++;
      const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => decode(t[1]!));
      for (const [, titled, title, scale] of axes) {
        expect(titled, `a ${scale} y-axis without a title`).toBeDefined();
        const shown = decode(title!);
        expect(texts).toContain(shown);
        if (scale !== 'discrete') expect(shown).toMatch(/\((%|g|°C|EUR|health points|% of time)\)$/);
      }
    }
    // All but the floor plot.
    expect(plotsWithAxes).toBe(7);
  });

  it('writes dates on the time axes and costs in the currency', () => {
    const texts = [...html.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => decode(t[1]!));
    expect(texts.filter((t) => t === 'date (UTC)').length).toBeGreaterThanOrEqual(5);
    // Midnight ticks of the forecast from Mon 19 Jan 07:40 on.
    expect(texts).toContain('Tue 20 Jan');
    expect(texts).toContain('total cost over 30 days (EUR)');
    const crews = rows(section(html, 'crews'));
    const recommended = crews.filter((r) => r.at(-1) === '★ recommended');
    expect(recommended.map((r) => r[0])).toEqual(['2 technicians', '3 technicians']);
    for (const r of crews.filter((r) => r[0]!.endsWith('technicians') || r[0] === '1 technician'))
      expect(r[3]).toMatch(/^€[\d,]+ \[€[\d,]+, €[\d,]+\]$/);
    expect(visibleText(section(html, 'crews'))).toContain('total cost (EUR)');
  });

  it('writes censored remaining life as a lower bound, never as a dash', () => {
    const table = rows(section(html, 'maintenance'));
    const machine = (n: number) => table.find((r) => r[0] === `machine ${n}`)!;
    expect(machine(1)[4]).toBe('100%');
    expect(machine(1)[6]).toBe('maintain at Mon 19 Jan 2026 14:00 UTC');
    expect(machine(2)[2]).toBe('> 168 h');
    expect(machine(2)[3]).toBe('76 h to > 168 h');
    expect(machine(2)[4]).toBe('30%');
    expect(machine(3)[3]).toBe('> 168 h');
    expect(machine(3)[5]).toBe('not needed within 168 h');
    for (const cell of table.filter((r) => r[0]!.startsWith('machine')).flat())
      expect(cell).not.toMatch(/^[-–—]?$|^n\/a$/);
  });

  it('never writes a number in exponent notation', () => {
    const text = visibleText(html);
    expect(text).not.toMatch(/\d(\.\d+)?e[+-]?\d/i);
    expect(text).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('summarizes a difference that is noise in the body and keeps its full row in the appendix', () => {
    const maintenance = visibleText(section(html, 'maintenance'));
    expect(maintenance).toContain(
      'No detectable difference: downtime per machine, run to failure − maintain at-risk machines',
    );
    // The body shows no interval for it ...
    const d = data.decisions.maintenance.downtimeSaved;
    const n = (v: number) => String(Number(v.toPrecision(3)));
    expect(visibleText(body(html))).not.toContain(`[${n(d.lower)}, ${n(d.upper)}]`);
    // ... the appendix has its row with the interval and the confidence of each interval.
    const appendix = rows(section(html, 'appendix'));
    const row = appendix.find(
      (r) => r[0] === 'downtime per machine (h)' && r[1] === 'run to failure − maintain at-risk machines',
    );
    expect(row).toEqual([
      'downtime per machine (h)',
      'run to failure − maintain at-risk machines',
      `${n(d.mean)} [${n(d.lower)}, ${n(d.upper)}]`,
      'no detectable difference',
      '95%',
    ]);
    // Every comparison of every study is there: 13 outputs, 15 pairs of 6 crews per crew study.
    const outputs = Object.keys(data.decisions.plans.comparison.outputs).length;
    expect(appendix.filter((r) => r[0] !== 'output').length).toBe(outputs * (1 + 15 + 15 + 1));
    expect(appendix.some((r) => r[4] === '99.67%')).toBe(true);
  });

  it('writes a degenerate interval as its value and a marker, never as [x, x]', () => {
    const crews = visibleText(section(html, 'crews'));
    expect(crews).toContain(
      `total cost (labour, downtime, failures), 5 technicians − 2 technicians: €129,600${SAME_MARKER}`,
    );
    const text = visibleText(html);
    for (const m of text.matchAll(/\[([^[\],]+(?:,\d{3})*), ([^[\]]+?)\]/g)) expect(m[1]).not.toBe(m[2]);
    // The marker is explained.
    expect(text).toContain(`${SAME_MARKER} the same in every replication`);
  });

  it('writes percentages, hours and the glossary a plant manager can read', () => {
    const plans = visibleText(section(html, 'plans'));
    expect(plans).toMatch(/OEE, \+15% orders .* − current orders .*: 11\.\d pp \[/);
    expect(plans).toMatch(
      /throughput, \+15% orders .* − current orders .*: 0\.8\d+ \[0\.8\d+, 0\.9\d+\] parts\/h/,
    );
    expect(rows(section(html, 'plans'))[0]).toContain('throughput (parts/h)');
    expect(visibleText(section(html, 'sync'))).toContain('95.3% of the updates');
    const glossary = visibleText(section(html, 'glossary'));
    for (const term of ['DES', 'SD', 'ABM', 'EKF', 'CRN', 'Bonferroni', 'paired', 'censoring'])
      expect(glossary).toContain(term);
  });

  it('stays small: the plots are thinned', () => {
    expect(html.length).toBeLessThan(1_000_000);
    const before = data.telemetry.length;
    expect(before).toBeGreaterThan(10_000);
    // The telemetry plot draws at most 300 good readings per machine and sensor.
    const svg = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)]
      .map((m) => m[0])
      .find((s) => s.includes('vibration (g)'))!;
    expect(svg.length).toBeLessThan(300_000);
  });
});
