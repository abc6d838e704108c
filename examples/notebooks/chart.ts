/**
 * Small, dependency-free renderers for the notebooks: a line/point chart with optional interval
 * whiskers and shaded bands as an SVG string, and an HTML table. The notebooks pass the strings to
 * `tslab.display.html(...)`; nothing here needs a network or a browser.
 */
import { TwinkitError } from '@twinkit/core';

/**
 * The charts' "bad argument" error (`api: rule, got value. remedy`, code INVALID_ARGUMENT). It is
 * local because tslab compiles a notebook's imports with this folder as the root, so the examples'
 * shared helper in ../support cannot be imported here.
 */
function invalidArgument(api: string, rule: string, value: unknown, remedy?: string): TwinkitError {
  let shown: string;
  try {
    // Numbers as written (NaN, Infinity); JSON would turn those into null.
    shown = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    shown = String(value);
  }
  if (shown.length > 120) shown = `${shown.slice(0, 117)}...`;
  return new TwinkitError(`${api}: ${rule}, got ${shown}.${remedy ? ` ${remedy}` : ''}`, {
    code: 'INVALID_ARGUMENT',
    details: { value },
  });
}

/** One point of a series; `lower`/`upper` draw an interval (a whisker, or a band for `'band'`). */
export interface ChartPoint {
  x: number;
  y: number;
  lower?: number;
  upper?: number;
}

/** A named series of a {@link lineChart}. */
export interface ChartSeries {
  /** The name shown in the legend. */
  name: string;
  points: readonly ChartPoint[];
  /**
   * How the series is drawn: a polyline (`'line'`, the default), markers with interval whiskers
   * (`'points'`), or a polyline over a shaded interval band (`'band'`).
   */
  style?: 'line' | 'points' | 'band';
  /** A CSS colour; by default one of a fixed palette, by series position. */
  color?: string;
  /** Whether the line is dashed (for theoretical curves). */
  dashed?: boolean;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  series: readonly ChartSeries[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Width in pixels (default 640). */
  width?: number;
  /** Height in pixels (default 320). */
  height?: number;
  /** Fixes the y range instead of fitting it to the data (and intervals). */
  yDomain?: readonly [number, number];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];
const MARGIN = { top: 32, right: 165, bottom: 44, left: 64 };

/** Escapes text for use in XML or HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Returns about `count` round tick values (steps of 1, 2 or 5 times a power of ten) covering
 * `[min, max]`.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || max < min) {
    throw invalidArgument('niceTicks(min, max)', 'min and max must be finite with min <= max', [min, max]);
  }
  if (max === min) return [min];
  const rough = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

function formatTick(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(6)));
}

function requireFiniteNumber(api: string, what: string, value: number | undefined): void {
  if (value !== undefined && !Number.isFinite(value)) {
    throw invalidArgument(api, `${what} must be a finite number`, value, 'Filter out missing values first.');
  }
}

/**
 * Renders series as an SVG line chart with axes, ticks, labels and a legend, as a string.
 *
 * @example
 * ```ts
 * const svg = lineChart({
 *   series: [{ name: 'theory', points: [{ x: 0, y: 1 }, { x: 1, y: 2 }], dashed: true }],
 *   xLabel: 'load', yLabel: 'mean wait',
 * });
 * tslab.display.html(svg);
 * ```
 */
export function lineChart(options: LineChartOptions): string {
  const api = 'lineChart(options)';
  const width = options.width ?? 640;
  const height = options.height ?? 320;
  if (options.series.length === 0) {
    throw invalidArgument(
      api,
      'series must hold at least one series',
      options.series,
      'Pass { series: [{ name, points }] }.',
    );
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (const series of options.series) {
    if (series.points.length === 0) {
      throw invalidArgument(api, `series "${series.name}" must hold at least one point`, series.points);
    }
    for (const p of series.points) {
      requireFiniteNumber(api, `x of series "${series.name}"`, p.x);
      requireFiniteNumber(api, `y of series "${series.name}"`, p.y);
      requireFiniteNumber(api, `lower of series "${series.name}"`, p.lower);
      requireFiniteNumber(api, `upper of series "${series.name}"`, p.upper);
      xs.push(p.x);
      ys.push(p.y, p.lower ?? p.y, p.upper ?? p.y);
    }
  }
  let xMin = Math.min(...xs);
  let xMax = Math.max(...xs);
  let [yMin, yMax] = options.yDomain ?? [Math.min(...ys), Math.max(...ys)];
  if (!(yMax > yMin)) {
    if (options.yDomain)
      throw invalidArgument(api, 'yDomain must be [min, max] with min < max', options.yDomain);
    yMin -= 1;
    yMax += 1;
  }
  if (xMax === xMin) {
    xMin -= 1;
    xMax += 1;
  }
  if (!options.yDomain) {
    const pad = 0.05 * (yMax - yMin);
    yMin -= pad;
    yMax += pad;
  }
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const sy = (y: number) => MARGIN.top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight;
  const px = (v: number) => v.toFixed(1);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`,
  ];
  if (options.title) {
    out.push(
      `<text x="${px(MARGIN.left)}" y="20" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
    );
  }
  // Grid and ticks.
  const bottom = MARGIN.top + plotHeight;
  for (const t of niceTicks(yMin, yMax)) {
    const y = px(sy(t));
    out.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#e5e5e5"/>`,
    );
    out.push(
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t)}</text>`,
    );
  }
  for (const t of niceTicks(xMin, xMax)) {
    const x = px(sx(t));
    out.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="black"/>`);
    out.push(`<text x="${x}" y="${bottom + 17}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="black"/>`,
  );
  if (options.xLabel) {
    out.push(
      `<text x="${px(MARGIN.left + plotWidth / 2)}" y="${height - 8}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    );
  }
  if (options.yLabel) {
    const cy = px(MARGIN.top + plotHeight / 2);
    out.push(
      `<text x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeXml(options.yLabel)}</text>`,
    );
  }
  // Series, then the legend.
  options.series.forEach((series, index) => {
    const color = escapeXml(series.color ?? PALETTE[index % PALETTE.length]!);
    const style = series.style ?? 'line';
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    const path = series.points.map((p) => `${px(sx(p.x))},${px(sy(p.y))}`).join(' ');
    if (style === 'band') {
      const upper = series.points.map((p) => `${px(sx(p.x))},${px(sy(p.upper ?? p.y))}`);
      const lower = series.points.map((p) => `${px(sx(p.x))},${px(sy(p.lower ?? p.y))}`).reverse();
      out.push(
        `<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.2" stroke="none"/>`,
      );
    }
    if (style === 'points') {
      for (const p of series.points) {
        const x = px(sx(p.x));
        if (p.lower !== undefined || p.upper !== undefined) {
          const y1 = px(sy(p.lower ?? p.y));
          const y2 = px(sy(p.upper ?? p.y));
          out.push(`<line x1="${x}" y1="${y1}" x2="${x}" y2="${y2}" stroke="${color}" stroke-width="1.5"/>`);
          out.push(
            `<line x1="${px(sx(p.x) - 4)}" y1="${y1}" x2="${px(sx(p.x) + 4)}" y2="${y1}" stroke="${color}"/>`,
          );
          out.push(
            `<line x1="${px(sx(p.x) - 4)}" y1="${y2}" x2="${px(sx(p.x) + 4)}" y2="${y2}" stroke="${color}"/>`,
          );
        }
        out.push(`<circle cx="${x}" cy="${px(sy(p.y))}" r="3.5" fill="${color}"/>`);
      }
    } else {
      out.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    }
    const ly = MARGIN.top + 8 + index * 18;
    const lx = MARGIN.left + plotWidth + 12;
    if (style === 'points') {
      out.push(`<circle cx="${lx + 10}" cy="${ly}" r="3.5" fill="${color}"/>`);
    } else {
      out.push(
        `<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
      );
    }
    out.push(`<text x="${lx + 26}" y="${ly}" dominant-baseline="middle">${escapeXml(series.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** A table cell value: numbers are shown with `digits` significant digits, text as is. */
export type TableValue = number | string | boolean;

/**
 * Renders rows as an HTML table with one column per key of the first row (numbers right-aligned,
 * rounded to `digits` significant digits, default 4).
 */
export function htmlTable(
  rows: readonly Record<string, TableValue>[],
  options: { digits?: number } = {},
): string {
  const first = rows[0];
  if (first === undefined) {
    throw invalidArgument('htmlTable(rows)', 'rows must hold at least one row', rows);
  }
  const digits = options.digits ?? 4;
  const columns = Object.keys(first);
  const cell = (value: TableValue | undefined): string => {
    if (typeof value === 'number') {
      const text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(digits)));
      return `<td style="text-align:right">${text}</td>`;
    }
    return `<td>${escapeXml(value === undefined ? '' : String(value))}</td>`;
  };
  const head = columns.map((c) => `<th>${escapeXml(c)}</th>`).join('');
  const body = rows.map((row) => `<tr>${columns.map((c) => cell(row[c])).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
