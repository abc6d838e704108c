import { TwinkitError } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { escapeXml, htmlTable, lineChart, niceTicks } from './chart';

/** Returns the problems of a tag soup: unbalanced or mismatched elements (enough for our output). */
function tagProblems(markup: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  for (const match of markup.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (selfClosing) continue;
    if (!closing) stack.push(name!);
    else if (stack.pop() !== name) problems.push(`unexpected </${name}>`);
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  return problems;
}

/** Reads the numeric attributes of every element called `name`. */
function elements(svg: string, name: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${name}\\s([^>]*?)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
  );
}

describe('niceTicks', () => {
  it('gives round steps of 1, 2 or 5 times a power of ten inside the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.5, 0.9)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(niceTicks(-3, 47)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(2, 2)).toEqual([2]);
  });

  it('refuses reversed or non-finite ranges', () => {
    expect(() => niceTicks(1, 0)).toThrow(
      /niceTicks\(min, max\): min and max must be finite with min <= max, got \[1,0\]/,
    );
    expect(() => niceTicks(0, Number.NaN)).toThrow(TwinkitError);
  });
});

describe('lineChart', () => {
  const theory = { name: 'theory', dashed: true, points: [0, 1, 2, 3, 4].map((x) => ({ x, y: x * x })) };

  it('renders well-formed SVG with one polyline per line series and a legend entry per series', () => {
    const svg = lineChart({
      title: 'A & B',
      xLabel: 'x',
      yLabel: 'y',
      series: [theory, { name: 'sim', style: 'points', points: [{ x: 1, y: 1.1, lower: 0.9, upper: 1.3 }] }],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(tagProblems(svg)).toEqual([]);
    expect(elements(svg, 'polyline')).toHaveLength(1);
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('>theory</text>');
    expect(svg).toContain('>sim</text>');
  });

  it('maps the data range onto the plot area: smallest x to the left edge, y domain ends to bottom and top', () => {
    const svg = lineChart({ width: 400, height: 300, yDomain: [0, 16], series: [theory] });
    const frame = elements(svg, 'rect').find((r) => r.fill === 'none')!;
    const left = Number(frame.x);
    const top = Number(frame.y);
    const right = left + Number(frame.width);
    const bottom = top + Number(frame.height);
    const points = elements(svg, 'polyline')[0]!
      .points!.split(' ')
      .map((p) => p.split(',').map(Number));
    expect(points[0]).toEqual([left, bottom]); // (0, 0)
    expect(points[4]).toEqual([right, top]); // (4, 16)
    // (2, 4): halfway across, a quarter of the way up.
    expect(points[2]![0]).toBeCloseTo((left + right) / 2, 1);
    expect(points[2]![1]).toBeCloseTo(bottom - (bottom - top) / 4, 1);
  });

  it('draws a whisker from lower to upper for points and a closed band polygon for bands', () => {
    const svg = lineChart({
      yDomain: [0, 10],
      series: [
        {
          name: 'est',
          style: 'points',
          points: [
            { x: 0, y: 5, lower: 2, upper: 8 },
            { x: 1, y: 5 },
          ],
        },
        {
          name: 'band',
          style: 'band',
          points: [
            { x: 0, y: 5, lower: 4, upper: 6 },
            { x: 1, y: 5, lower: 4, upper: 6 },
          ],
        },
      ],
    });
    expect(tagProblems(svg)).toEqual([]);
    const vertical = elements(svg, 'line').filter((l) => l.x1 === l.x2 && l['stroke-width'] === '1.5');
    expect(vertical).toHaveLength(1); // only the point with an interval has a whisker
    const whisker = vertical[0]!;
    const frame = elements(svg, 'rect').find((r) => r.fill === 'none')!;
    const span = Number(frame.height);
    expect(Number(whisker.y1) - Number(whisker.y2)).toBeCloseTo(0.6 * span, 1); // 2 .. 8 of 0 .. 10
    const polygon = elements(svg, 'polygon')[0]!;
    expect(polygon.points!.split(' ')).toHaveLength(4);
  });

  it('escapes series names so that markup in them stays text', () => {
    const svg = lineChart({ series: [{ name: '<script>"x"</script>', points: [{ x: 0, y: 0 }] }] });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;&quot;x&quot;&lt;/script&gt;');
    expect(tagProblems(svg)).toEqual([]);
  });

  it('refuses empty input and non-finite values with the API, the rule and the value', () => {
    expect(() => lineChart({ series: [] })).toThrow(
      'lineChart(options): series must hold at least one series, got []. Pass { series: [{ name, points }] }.',
    );
    expect(() => lineChart({ series: [{ name: 'a', points: [] }] })).toThrow(
      'lineChart(options): series "a" must hold at least one point, got [].',
    );
    expect(() => lineChart({ series: [{ name: 'a', points: [{ x: 0, y: Number.NaN }] }] })).toThrow(
      'lineChart(options): y of series "a" must be a finite number, got NaN. Filter out missing values first.',
    );
    expect(() => lineChart({ series: [{ name: 'a', points: [{ x: 0, y: 1, upper: Infinity }] }] })).toThrow(
      /upper of series "a" must be a finite number, got Infinity/,
    );
    expect(() => lineChart({ yDomain: [1, 1], series: [theory] })).toThrow(
      /yDomain must be \[min, max\] with min < max/,
    );
  });
});

describe('htmlTable', () => {
  it('makes one column per key of the first row, rounds numbers and escapes text', () => {
    const html = htmlTable([
      { name: 'a<b', value: 1 / 3, n: 12 },
      { name: 'c', value: 2, n: 7 },
    ]);
    expect(tagProblems(html)).toEqual([]);
    expect(html).toContain('<thead><tr><th>name</th><th>value</th><th>n</th></tr></thead>');
    expect(html).toContain(
      '<td>a&lt;b</td><td style="text-align:right">0.3333</td><td style="text-align:right">12</td>',
    );
    expect(htmlTable([{ x: Math.PI }], { digits: 2 })).toContain('>3.1<');
  });

  it('refuses an empty table', () => {
    expect(() => htmlTable([])).toThrow('htmlTable(rows): rows must hold at least one row, got [].');
  });

  it('escapes the five XML special characters', () => {
    expect(escapeXml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
