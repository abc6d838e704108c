/**
 * The HTML report, read top-down by a plant manager: the answer first (one paragraph), then the
 * evidence of each decision (maintenance, crews, production plans), the forecast, the state
 * estimation, the floor, a glossary and, in an appendix, every paired comparison. A self-contained
 * page: inline SVG rendered by Vega's headless renderer from Vega-Lite specs, no network needed.
 */

import type { ScenarioComparisonResults } from '@twinkit/estimation';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { invalidArgument } from '../support/invalid-argument';
import {
  type CrewStudy,
  crewName,
  type Decisions,
  type Difference,
  difference,
  type Forecast,
} from './decisions';
import {
  dateOf,
  hours,
  instantOf,
  interval,
  money,
  percent,
  percentPoints,
  plain,
  SAME_MARKER,
  SAME_NOTE,
} from './format';
import { type FloorLayout, floorLayout, technicianPosts, type WalkRecord } from './model';
import type { FactoryParams, RunSettings } from './params';
import { temperatureOf, temperatureSlope, vibrationOf, vibrationSlope } from './sensors';
import type { EstimatePoint, SyncCounts } from './twin';

/** One reading of the plant's telemetry (simulated minutes), as the plant run records it. */
export interface ReportReading {
  t: number;
  machine: number;
  kind: 'vibration' | 'temperature' | 'state';
  value: number;
  quality: string;
}

/** Everything the report shows. */
export interface ReportData {
  params: FactoryParams;
  settings: RunSettings;
  initialHealth: number[];
  plantFailures: number;
  estimates: readonly EstimatePoint[];
  withinBand: number;
  rmse: number;
  syncCounts: SyncCounts;
  /** The decision studies from the synchronized twin's present. */
  decisions: Decisions;
  /** The plant's readings (plotted against the twin's expectation). */
  telemetry: readonly ReportReading[];
  walks: readonly WalkRecord[];
  timings: Record<string, number>;
  telemetryLines: number;
}

/**
 * How the report names and writes each output of a study: a value, and a difference of two; a
 * `unit` (for numbers written without one) goes into headers and after intervals.
 */
interface OutputFormat {
  label: string;
  unit?: string;
  value: (v: number, currency: string) => string;
  difference: (v: number, currency: string) => string;
}

const number = (v: number) => plain(v, 3);
const counted = { value: number, difference: number };
const fraction = { value: (v: number) => percent(v), difference: (v: number) => percentPoints(v) };
const cost = { value: money, difference: money };

/** The outputs of the studies, in the order the appendix lists them. */
const OUTPUTS: Record<string, OutputFormat> = {
  totalCost: { label: 'total cost (labour, downtime, failures)', ...cost },
  laborCost: { label: 'labour cost', ...cost },
  downtimeCost: { label: 'downtime cost', ...cost },
  failureCost: { label: 'failure cost (beyond downtime)', ...cost },
  downtimeHours: { label: 'downtime per machine', unit: 'h', ...counted },
  availability: { label: 'availability', ...fraction },
  failures: { label: 'failures', ...counted },
  maintenances: { label: 'planned maintenances', ...counted },
  throughput: { label: 'throughput', unit: 'parts/h', ...counted },
  oee: { label: 'OEE', ...fraction },
  utilization: { label: 'machine utilization', ...fraction },
  technicianUtilization: { label: 'technician utilization', ...fraction },
  uptimeHours: { label: 'machine uptime (all machines)', unit: 'h', ...counted },
};

/** An output's label with its unit, for headers: `throughput (parts/h)`. */
function heading(f: OutputFormat): string {
  return f.unit === undefined ? f.label : `${f.label} (${f.unit})`;
}

/** A mean with its interval in an output's format, with its unit after it. */
function outputInterval(
  f: OutputFormat,
  d: { mean: number; lower: number; upper: number; degenerate?: boolean },
  write: (v: number) => string,
): string {
  const text = interval(d.mean, d.lower, d.upper, write, { degenerate: d.degenerate === true });
  return f.unit === undefined ? text : `${text} ${f.unit}`;
}

function outputFormat(output: string): OutputFormat {
  return OUTPUTS[output] ?? { label: output, ...counted };
}

/** Renders a Vega-Lite spec to an SVG string, headless. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const vegaSpec = compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...spec,
  } as TopLevelSpec).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Keeps at most `max` of `items`, evenly spaced, with the last (for the plots only). */
function thin<T>(items: readonly T[], max: number): T[] {
  const step = Math.max(1, Math.ceil(items.length / max));
  return items.filter((_, i) => i % step === 0 || i === items.length - 1);
}

/** Keeps at most `max` items per machine, evenly spaced. */
function thinPerMachine<T extends { machine: number }>(items: readonly T[], max: number): T[] {
  const machines = [...new Set(items.map((p) => p.machine))].sort((a, b) => a - b);
  return machines.flatMap((m) =>
    thin(
      items.filter((p) => p.machine === m),
      max,
    ),
  );
}

/** A time axis in calendar dates (UTC), for simulated minutes plotted as `instantOf` milliseconds. */
function dateAxis(field: string, format = '%a %d %b'): Record<string, unknown> {
  return {
    field,
    type: 'temporal',
    scale: { type: 'utc' },
    // A tick a day (a day-only format would otherwise write some days twice).
    axis: { format, labelAngle: 0, tickCount: { interval: 'day', step: 1 } },
    title: 'date (UTC)',
  };
}

const machineLabel = (m: number) => `machine ${m + 1}`;

/** Builds the Vega-Lite spec of estimated vs true health per machine, with the ±2 sd band. */
export function healthSpec(points: readonly EstimatePoint[]): Record<string, unknown> {
  const values = thinPerMachine(points, 300).map((p) => ({
    machine: machineLabel(p.machine),
    time: instantOf(p.t),
    estimate: p.estimate,
    lower: p.estimate - 2 * p.sd,
    upper: p.estimate + 2 * p.sd,
    truth: p.truth,
  }));
  return {
    data: { values },
    facet: { row: { field: 'machine', type: 'nominal', title: null } },
    spec: {
      width: 720,
      height: 110,
      layer: [
        {
          mark: { type: 'area', opacity: 0.35, color: '#f58518' },
          encoding: {
            x: dateAxis('time', '%d %b'),
            y: { field: 'lower', type: 'quantitative', title: 'health (%)', scale: { zero: false } },
            y2: { field: 'upper' },
          },
        },
        {
          mark: { type: 'line', color: '#222', strokeWidth: 1.5 },
          encoding: { x: { field: 'time', type: 'temporal' }, y: { field: 'truth', type: 'quantitative' } },
        },
        {
          mark: { type: 'line', color: '#f58518', strokeWidth: 1, strokeDash: [4, 2] },
          encoding: {
            x: { field: 'time', type: 'temporal' },
            y: { field: 'estimate', type: 'quantitative' },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    title: 'Health: hidden truth (black), EKF estimate (dashed) and its ±2 sd band (orange)',
  };
}

/** Builds the Vega-Lite spec of the estimation error per machine inside the filter's ±2 sd band. */
export function errorSpec(points: readonly EstimatePoint[]): Record<string, unknown> {
  // From 6 h on: the first hours show the start-up spread, which would squash the rest.
  const values = thinPerMachine(
    points.filter((p) => p.t >= 360),
    300,
  ).map((p) => ({
    machine: machineLabel(p.machine),
    time: instantOf(p.t),
    error: p.estimate - p.truth,
    lower: -2 * p.sd,
    upper: 2 * p.sd,
  }));
  return {
    data: { values },
    facet: { row: { field: 'machine', type: 'nominal', title: null } },
    spec: {
      width: 720,
      height: 100,
      layer: [
        {
          mark: { type: 'area', opacity: 0.35, color: '#f58518' },
          encoding: {
            x: dateAxis('time', '%d %b'),
            y: { field: 'lower', type: 'quantitative', title: 'error (health points)' },
            y2: { field: 'upper' },
          },
        },
        {
          mark: { type: 'line', color: '#222', strokeWidth: 1 },
          encoding: { x: { field: 'time', type: 'temporal' }, y: { field: 'error', type: 'quantitative' } },
        },
      ],
    },
    title: 'Estimation error (estimate − truth, black) inside the filter’s ±2 sd band (orange), from 6 h on',
  };
}

/** Points per machine and sensor in the telemetry plot. */
const TELEMETRY_POINTS = 300;

/**
 * Builds the Vega-Lite spec of the raw telemetry (vibration in g, temperature in °C) per machine
 * against what the twin expects from its health estimate, with a ±2 sd band (the estimate's
 * uncertainty through the sensor's slope, and the sensor's noise).
 */
export function telemetrySpec(
  readings: readonly ReportReading[],
  estimates: readonly EstimatePoint[],
  params: Pick<FactoryParams, 'vibrationNoise' | 'temperatureNoise'>,
): Record<string, unknown> {
  const sensors = [
    {
      kind: 'vibration',
      title: 'vibration (g)',
      of: vibrationOf,
      slope: vibrationSlope,
      noise: params.vibrationNoise,
    },
    {
      kind: 'temperature',
      title: 'temperature (°C)',
      of: temperatureOf,
      slope: temperatureSlope,
      noise: params.temperatureNoise,
    },
  ] as const;
  const expected = thinPerMachine(estimates, TELEMETRY_POINTS);
  return {
    vconcat: sensors.map((s) => {
      const own = readings.filter((r) => r.kind === s.kind);
      // Thinned apart, so that the few flagged readings are all kept.
      const points = [
        ...thinPerMachine(
          own.filter((r) => r.quality === 'good'),
          TELEMETRY_POINTS,
        ),
        ...thinPerMachine(
          own.filter((r) => r.quality !== 'good'),
          TELEMETRY_POINTS,
        ),
      ].map((r) => ({
        machine: machineLabel(r.machine),
        time: instantOf(r.t),
        value: r.value,
        quality: r.quality,
      }));
      const band = expected.map((e) => {
        const v = s.of(e.estimate);
        const sd = Math.hypot(s.slope(e.estimate) * e.sd, s.noise);
        return {
          machine: machineLabel(e.machine),
          time: instantOf(e.t),
          value: v,
          lower: v - 2 * sd,
          upper: v + 2 * sd,
        };
      });
      const y = { type: 'quantitative', scale: { zero: false } };
      return {
        title: `${s.title[0]!.toUpperCase()}${s.title.slice(1)}: readings (blue) and the twin’s expectation (green, ±2 sd)`,
        facet: { row: { field: 'machine', type: 'nominal', title: null } },
        data: {
          values: [
            ...points.map((p) => ({ ...p, series: 'reading' })),
            ...band.map((b) => ({ ...b, series: 'expected' })),
          ],
        },
        spec: {
          width: 720,
          height: 100,
          layer: [
            {
              transform: [{ filter: "datum.series === 'expected'" }],
              mark: { type: 'area', opacity: 0.3, color: '#72b7b2' },
              encoding: {
                x: dateAxis('time', '%d %b'),
                y: { field: 'lower', ...y, title: s.title },
                y2: { field: 'upper' },
              },
            },
            {
              // Good readings as a thin line (a dot each would make the page heavy) ...
              transform: [{ filter: "datum.series === 'reading' && datum.quality === 'good'" }],
              mark: { type: 'line', color: '#4c78a8', strokeWidth: 0.7, opacity: 0.8 },
              encoding: { x: { field: 'time', type: 'temporal' }, y: { field: 'value', ...y } },
            },
            {
              // ... and the few flagged ones (taken while a machine was stopped) as red dots.
              transform: [{ filter: "datum.series === 'reading' && datum.quality !== 'good'" }],
              mark: { type: 'point', size: 10, filled: true, color: '#e45756' },
              encoding: { x: { field: 'time', type: 'temporal' }, y: { field: 'value', ...y } },
            },
            {
              transform: [{ filter: "datum.series === 'expected'" }],
              mark: { type: 'line', color: '#1b6f6a', strokeWidth: 1.5 },
              encoding: { x: { field: 'time', type: 'temporal' }, y: { field: 'value', ...y } },
            },
          ],
        },
        resolve: { scale: { y: 'independent' } },
      };
    }),
  };
}

/**
 * Builds the Vega-Lite spec of the health forecast fan per machine: median, 50% band (q25–q75)
 * and 90% band (q05–q95) hour by hour, with the failure threshold as a rule.
 */
export function fanSpec(forecast: Forecast, failureThreshold: number): Record<string, unknown> {
  const values = forecast.fan.flatMap((f) =>
    f.hours.map((h, i) => ({
      machine: machineLabel(f.machine),
      time: instantOf(forecast.start + h * 60),
      q05: f.q05[i],
      q25: f.q25[i],
      median: f.median[i],
      q75: f.q75[i],
      q95: f.q95[i],
    })),
  );
  const y = { type: 'quantitative', scale: { zero: false } };
  return {
    data: { values },
    facet: { row: { field: 'machine', type: 'nominal', title: null } },
    spec: {
      width: 720,
      height: 90,
      layer: [
        {
          mark: { type: 'area', color: '#4c78a8', opacity: 0.2 },
          encoding: {
            x: dateAxis('time'),
            y: { field: 'q05', ...y, title: 'health (%)' },
            y2: { field: 'q95' },
          },
        },
        {
          mark: { type: 'area', color: '#4c78a8', opacity: 0.4 },
          encoding: {
            x: { field: 'time', type: 'temporal' },
            y: { field: 'q25', ...y },
            y2: { field: 'q75' },
          },
        },
        {
          mark: { type: 'line', color: '#1f3b5a', strokeWidth: 1.5 },
          encoding: { x: { field: 'time', type: 'temporal' }, y: { field: 'median', ...y } },
        },
        {
          mark: { type: 'rule', color: '#e45756', strokeDash: [4, 3] },
          encoding: { y: { datum: failureThreshold, type: 'quantitative' } },
        },
      ],
    },
    title: `Health over the next ${hours(forecast.horizonHours)} (${forecast.forks} forecasts): median, 50% and 90% bands; red: the failure threshold (${plain(failureThreshold)}%)`,
  };
}

const STATE_COLORS = { up: '#9ecae9', waiting: '#f58518', repair: '#e45756', maintenance: '#54a24b' };

/** Builds the Vega-Lite spec of the machines' states over the horizon in one forecast (a Gantt chart). */
export function ganttSpec(forecast: Forecast): Record<string, unknown> {
  const values = forecast.gantt.map((s) => ({
    machine: machineLabel(s.machine),
    from: instantOf(s.from),
    to: instantOf(s.to),
    state: s.state,
  }));
  return {
    data: { values },
    width: 720,
    height: 22 * forecast.fan.length,
    mark: { type: 'bar' },
    encoding: {
      x: dateAxis('from'),
      x2: { field: 'to' },
      y: { field: 'machine', type: 'nominal', title: 'machine' },
      color: {
        field: 'state',
        type: 'nominal',
        title: 'state',
        scale: { domain: Object.keys(STATE_COLORS), range: Object.values(STATE_COLORS) },
      },
    },
    title:
      'One possible course of the horizon (forecast 1): up, waiting for a technician, repair, planned maintenance',
  };
}

/**
 * Builds the Vega-Lite spec of a crew study: total cost over crew size (mean and 95% interval) and
 * downtime as a share of time against the target, the recommended crew marked.
 */
export function costSpec(study: CrewStudy, currency: string): Record<string, unknown> {
  const values = study.crews.map((crew) => {
    const o = study.comparison.scenarios[crewName(crew)]!.outputs;
    return {
      crew,
      cost: o.totalCost!.mean,
      lower: o.totalCost!.lower,
      upper: o.totalCost!.upper,
      downtime: (100 * o.downtimeHours!.mean) / (study.days * 24),
      pick: crew === study.recommendation.crew ? 'recommended' : 'other',
    };
  });
  const x = { field: 'crew', type: 'ordinal', title: 'technicians', axis: { labelAngle: 0 } };
  const color = {
    field: 'pick',
    type: 'nominal',
    title: null,
    scale: { domain: ['recommended', 'other'], range: ['#e45756', '#4c78a8'] },
  };
  return {
    data: { values },
    hconcat: [
      {
        width: 340,
        height: 200,
        title: 'Total cost (mean and 95% interval)',
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 2, color: '#4c78a8' },
            encoding: {
              x,
              y: {
                field: 'lower',
                type: 'quantitative',
                scale: { zero: false },
                title: `total cost over ${plain(study.days)} days (${currency})`,
              },
              y2: { field: 'upper' },
            },
          },
          {
            mark: { type: 'line', color: '#4c78a8' },
            encoding: { x, y: { field: 'cost', type: 'quantitative' } },
          },
          {
            mark: { type: 'point', filled: true, size: 80 },
            encoding: { x, y: { field: 'cost', type: 'quantitative' }, color },
          },
        ],
      },
      {
        width: 340,
        height: 200,
        title: `Downtime against the target (${percent(study.recommendation.target)})`,
        layer: [
          {
            mark: { type: 'bar' },
            encoding: {
              x,
              y: { field: 'downtime', type: 'quantitative', title: 'downtime (% of time)' },
              color,
            },
          },
          {
            mark: { type: 'rule', color: '#222', strokeDash: [4, 3] },
            encoding: { y: { datum: 100 * study.recommendation.target, type: 'quantitative' } },
          },
        ],
      },
    ],
    title: `${study.plant[0]!.toUpperCase()}${study.plant.slice(1)}: crews over ${plain(study.days)} days`,
  };
}

/** Builds the Vega-Lite spec of the floor (walls, machines, posts) and the technicians' walks. */
export function floorSpec(
  layout: FloorLayout,
  technicians: number,
  walks: readonly WalkRecord[],
): Record<string, unknown> {
  const cells = layout.blocked.map(([x, y]) => ({ x, y, x2: x + 1, y2: y + 1, kind: 'wall / conveyor' }));
  const machines = layout.machineBlocks.map((b, i) => ({
    x: b.x,
    y: b.y,
    x2: b.x + b.width,
    y2: b.y + b.height,
    label: `M${i + 1}`,
  }));
  const steps: Record<string, unknown>[] = [];
  walks.forEach((w, k) => {
    w.cells.forEach(([x, y], i) => {
      steps.push({
        walk: k,
        technician: `technician ${w.technician + 1}`,
        kind: w.kind,
        order: i,
        x: x + 0.5,
        y: y + 0.5,
      });
    });
  });
  const scale = 16;
  const x = { type: 'quantitative', scale: { domain: [0, layout.width] }, axis: null };
  const y = { type: 'quantitative', scale: { domain: [layout.height, 0] }, axis: null };
  return {
    width: layout.width * scale,
    height: layout.height * scale,
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect', color: '#bbb' },
        encoding: {
          x: { field: 'x', ...x },
          x2: { field: 'x2' },
          y: { field: 'y', ...y },
          y2: { field: 'y2' },
        },
      },
      {
        data: { values: machines },
        mark: { type: 'rect', color: '#4c78a8' },
        encoding: {
          x: { field: 'x', ...x },
          x2: { field: 'x2' },
          y: { field: 'y', ...y },
          y2: { field: 'y2' },
        },
      },
      {
        data: { values: machines.map((m) => ({ ...m, cx: (m.x + m.x2) / 2, cy: (m.y + m.y2) / 2 })) },
        mark: { type: 'text', color: 'white', fontWeight: 'bold' },
        encoding: { x: { field: 'cx', ...x }, y: { field: 'cy', ...y }, text: { field: 'label' } },
      },
      {
        data: {
          values: technicianPosts(layout, technicians).map((p, i) => ({
            x: p.x + 0.5,
            y: p.y + 0.5,
            label: `T${i + 1}`,
          })),
        },
        mark: { type: 'text', dy: 12, fontSize: 10 },
        encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y }, text: { field: 'label' } },
      },
      {
        data: { values: steps },
        mark: { type: 'line', strokeWidth: 2, opacity: 0.7 },
        encoding: {
          x: { field: 'x', ...x },
          y: { field: 'y', ...y },
          detail: { field: 'walk', type: 'nominal' },
          order: { field: 'order', type: 'quantitative' },
          color: { field: 'technician', type: 'nominal', title: null },
          strokeDash: {
            field: 'kind',
            type: 'nominal',
            title: null,
            scale: { domain: ['to-job', 'return'] },
          },
        },
      },
    ],
    title:
      'Technicians\u2019 walks on the floor during the plant run (A* paths; grey: walls and the conveyor)',
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A difference in words with its paired 95% interval, or "the same in every replication". */
function spoken(
  d: Pick<Difference, 'mean' | 'lower' | 'upper' | 'degenerate'>,
  f: (v: number) => string,
): string {
  return d.degenerate || f(d.lower) === f(d.upper)
    ? `${f(d.mean)} (the same in every replication)`
    : `${f(d.mean)} (95% paired interval ${f(d.lower)} to ${f(d.upper)})`;
}

/** The difference the other way round (second − first). */
function flipped<D extends Difference>(d: D): D {
  return { ...d, first: d.second, second: d.first, mean: -d.mean, lower: -d.upper, upper: -d.lower };
}

/** The crew study of the plant as it is (the first, when none is named so). */
function plantAsIs(decisions: Decisions): CrewStudy {
  const study = decisions.crews.find((c) => c.plant === 'plant as is') ?? decisions.crews[0];
  if (study === undefined)
    throw invalidArgument(
      'decisionText(decisions, params, settings)',
      'decisions.crews must hold at least one crew study',
      decisions.crews.length,
    );
  return study;
}

/** Replications per scenario of a study. */
function replicationsOf(comparison: ScenarioComparisonResults): number {
  return Object.values(comparison.scenarios)[0]?.replications ?? 0;
}

/** Items in words: `a, b and c`. */
function listText(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** When a planned maintenance starts, in words with its preposition: `now (date)` or `at date`. */
function whenText(at: number, now: number): string {
  return at <= now ? `now (${dateOf(at)})` : `at ${dateOf(at)}`;
}

/** Markers of the answers in the decision paragraph (private-use characters, bold in HTML). */
const OPEN = '\uE000';
const CLOSE = '\uE001';

/**
 * The answer, in one paragraph, for the top of the console output and of the report: the crew for
 * the plant as it is (the cheapest whose downtime meets the target; its saving against the current
 * crew with the paired 95% interval), which machines to maintain and when (calendar dates) with
 * the saving, the second production plan's throughput gain, how sure each answer is (which
 * intervals exclude zero), and what would change it (the downtime one more technician must save;
 * the stressed plant's answer). Plain text, or HTML with the answers in bold.
 */
export function decisionText(
  decisions: Decisions,
  params: Pick<FactoryParams, 'technicians' | 'technicianCost' | 'downtimeCost'>,
  settings: Pick<RunSettings, 'currency'>,
  html = false,
): string {
  // Answers are wrapped in markers, bold in HTML; the text is escaped once at the end.
  const strong = (t: string) => `${OPEN}${t}${CLOSE}`;
  const cash = (v: number) => money(v, settings.currency);
  const sure: string[] = [];
  const unsure: string[] = [];
  const judge = (d: Difference, what: string) => (d.significant ? sure : unsure).push(what);
  const parts: string[] = [];

  // The crew.
  const study = plantAsIs(decisions);
  const r = study.recommendation;
  const days = `${plain(study.days)} days`;
  const current = crewName(params.technicians);
  let crew = `Crew: ${strong(r.scenario)}, `;
  crew += r.meetsTarget
    ? `the cheapest crew whose machines are down at most ${percent(r.target)} of the time (${percent(r.downtimeFraction)} with it; ${cash(r.totalCost)} over ${days})`
    : `the cheapest crew, although no crew compared keeps downtime under ${percent(r.target)} (${percent(r.downtimeFraction)} with it)`;
  const vsCurrent = r.against.find((a) => a.scenario === current);
  if (r.crew === params.technicians) crew += '; it is the current crew: keep it.';
  else if (vsCurrent === undefined)
    crew += `; the current crew (${current}) was not among the crews compared.`;
  else if (!vsCurrent.significant)
    crew += `; against the current ${current}: no detectable difference in cost (${spoken(vsCurrent, cash)}).`;
  else if (vsCurrent.mean > 0)
    crew += `; against the current ${current} it saves ${strong(spoken(vsCurrent, cash))} over ${days}.`;
  else
    crew += `; it costs ${spoken(flipped(vsCurrent), cash)} more than the current ${current} over ${days}.`;
  parts.push(crew);
  const unsureCrews = r.against.filter((a) => !a.significant);
  if (unsureCrews.length === 0) sure.push('the crew’s cost against every other crew');
  else {
    // A crew the study cannot tell apart on cost may still be ruled out by the downtime target.
    const misses = (scenario: string) =>
      (study.comparison.scenarios[scenario]?.outputs.downtimeHours?.mean ?? 0) / (study.days * 24) > r.target;
    unsure.push(
      `the crew’s cost against ${listText(
        unsureCrews.map(
          (a) => `${a.scenario}${misses(a.scenario) ? ' (which misses the downtime target)' : ''}`,
        ),
      )}`,
    );
  }

  // Maintenance.
  const m = decisions.maintenance;
  const f = decisions.forecast;
  const horizon = hours(f.horizonHours);
  if (m.plan.length === 0)
    parts.push(
      `Maintenance: ${strong('none needed')} in the next ${horizon}: no machine fails within it in at least ${percent(m.risk)} of the ${f.forks} forecasts.`,
    );
  else {
    const orders = m.plan.map((o) => {
      const life = f.life.find((l) => l.machine === o.machine);
      const by =
        life?.window == null
          ? ''
          : `, before ${dateOf(f.start + life.window.to * 60)} (by then 5% of the forecasts have failed)`;
      return `${strong(`machine ${o.machine + 1} ${whenText(o.at, f.start)}`)}${by}`;
    });
    let text = `Maintenance: maintain ${listText(orders)}. Over the next ${horizon} this `;
    text += !m.saving.significant
      ? `makes no detectable difference in cost against running to failure (${spoken(m.saving, cash)})`
      : m.saving.mean > 0
        ? `saves ${strong(spoken(m.saving, cash))} against running to failure`
        : `costs ${spoken(flipped(m.saving), cash)} more than running to failure`;
    parts.push(`${text}.`);
    judge(m.saving, 'the maintenance saving');
  }

  // The production plan.
  const p = decisions.plans;
  const [first, second] = p.plans;
  if (first !== undefined && second !== undefined) {
    const rate = (v: number) => `${plain(v)} parts/h`;
    const t = p.throughput;
    parts.push(
      `Plan: ${second.name} against ${first.name} ${
        !t.significant
          ? `makes no detectable difference to throughput (${spoken(t, rate)})`
          : t.mean >= 0
            ? `raises throughput by ${strong(spoken(t, rate))}`
            : `lowers throughput by ${strong(spoken(flipped(t), rate))}`
      } and changes OEE by ${spoken(p.oee, (v) => percentPoints(v))}.`,
    );
    judge(t, 'the throughput gain');
    judge(p.oee, 'the OEE change');
  }

  // How sure.
  const counts = [
    { of: 'the crews', n: replicationsOf(study.comparison) },
    { of: 'maintenance', n: replicationsOf(decisions.maintenance.comparison) },
    { of: 'the plans', n: replicationsOf(decisions.plans.comparison) },
  ];
  const n = counts.every((c) => c.n === counts[0]!.n)
    ? String(counts[0]!.n)
    : listText(counts.map((c) => `${c.n} (${c.of})`));
  parts.push(
    `How sure: ${sure.length > 0 ? `the intervals of ${listText(sure)} exclude zero` : 'no interval excludes zero'}${
      unsure.length > 0 ? `; those of ${listText(unsure)} include zero (no detectable difference)` : ''
    } (paired intervals over ${n} replications with common random numbers; all intervals of a table hold together at 95%).`,
  );

  // What would change it.
  const breakEven = (params.technicianCost * 24 * study.days) / Math.max(params.downtimeCost, Number.EPSILON);
  let change = `What would change it: one more technician pays for itself only if it saves more than ${plain(breakEven)} machine-hours of downtime per ${days} (${cash(params.technicianCost)} per technician-hour against ${cash(params.downtimeCost)} per machine-hour down)`;
  const stressed = decisions.crews.filter((c) => c !== study);
  for (const s of stressed) {
    const sr = s.recommendation;
    change += `; on the ${s.plant}${s.description ? `, with ${s.description},` : ''} the answer ${
      sr.crew === r.crew ? `stays ${strong(sr.scenario)}` : `becomes ${strong(sr.scenario)}`
    }${sr.meetsTarget ? '' : `, which still misses the ${percent(sr.target)} downtime target`}`;
  }
  parts.push(
    `${change}. A machine joins the maintenance plan when it fails within the horizon in at least ${percent(m.risk)} of the forecasts.`,
  );

  const text = parts.join(' ');
  return html
    ? escapeHtml(text).replaceAll(OPEN, '<b>').replaceAll(CLOSE, '</b>')
    : text.replaceAll(OPEN, '').replaceAll(CLOSE, '');
}

/** A difference between two scenarios for the body: only when it is not noise. */
function differenceText(d: Difference, output: string, currency: string): string {
  const f = outputFormat(output);
  return `${escapeHtml(f.label)}, ${escapeHtml(d.first)} − ${escapeHtml(d.second)}: ${escapeHtml(
    outputInterval(f, d, (v) => f.difference(v, currency)),
  )}`;
}

/**
 * The body's account of some differences: those that are not noise with their intervals, the rest
 * summarized as "no detectable difference" (their rows are in the appendix).
 */
function differencesHtml(items: { d: Difference; output: string }[], currency: string): string {
  const real = items.filter((i) => i.d.significant);
  const noise = items.filter((i) => !i.d.significant);
  const lines = real.map((i) => `<li>${differenceText(i.d, i.output, currency)}</li>`);
  if (noise.length > 0)
    lines.push(
      `<li class="noise">No detectable difference: ${noise
        .map(
          (i) =>
            `${escapeHtml(outputFormat(i.output).label)}, ${escapeHtml(i.d.first)} − ${escapeHtml(i.d.second)}`,
        )
        .join('; ')} (intervals include zero; see the <a href="#appendix">appendix</a>).</li>`,
    );
  return `<ul class="differences">${lines.join('')}</ul>`;
}

/** A table cell: mean [95% interval] of one output of one scenario. */
function summaryCell(
  comparison: ScenarioComparisonResults,
  scenario: string,
  output: string,
  currency: string,
): string {
  const o = comparison.scenarios[scenario]?.outputs[output];
  if (o === undefined) return '<td>not measured</td>';
  const f = outputFormat(output);
  // A unit is in the column's header.
  return `<td>${escapeHtml(interval(o.mean, o.lower, o.upper, (v) => f.value(v, currency)))}</td>`;
}

/** A table of scenarios (rows) by outputs (columns), each cell mean [95% interval]. */
function scenarioTable(comparison: ScenarioComparisonResults, outputs: string[], currency: string): string {
  const head = outputs.map((o) => `<th>${escapeHtml(heading(outputFormat(o)))}</th>`).join('');
  const rows = Object.keys(comparison.scenarios)
    .map(
      (s) =>
        `<tr><th>${escapeHtml(s)}</th>${outputs.map((o) => summaryCell(comparison, s, o, currency)).join('')}</tr>`,
    )
    .join('\n');
  return `<table><tr><th></th>${head}</tr>\n${rows}</table>`;
}

/** A remaining-life quantile: hours, or "> horizon" when it lies beyond the horizon. */
function lifeText(q: { hours: number; censored: boolean }): string {
  return q.censored ? `> ${hours(q.hours)}` : hours(q.hours);
}

function maintenanceHtml(d: Decisions, params: FactoryParams, currency: string): string {
  const f = d.forecast;
  const m = d.maintenance;
  const rows = f.life
    .map((l) => {
      const order = m.plan.find((o) => o.machine === l.machine);
      const now = d.forecast.fan.find((x) => x.machine === l.machine)?.median[0];
      const spread =
        l.q05.censored && l.q95.censored ? lifeText(l.q95) : `${lifeText(l.q05)} to ${lifeText(l.q95)}`;
      return `<tr><th>machine ${l.machine + 1}</th><td>${now === undefined ? 'not forecast' : `${plain(now)}%`}</td><td>${escapeHtml(lifeText(l.median))}</td><td>${escapeHtml(spread)}</td><td>${percent(l.probability)}</td><td>${
        l.window === null
          ? `not needed within ${hours(f.horizonHours)}`
          : `now to ${dateOf(f.start + l.window.to * 60)}`
      }</td><td>${order === undefined ? 'run on' : `<b>maintain ${whenText(order.at, f.start)}</b>`}</td></tr>`;
    })
    .join('\n');
  return `<p>From the synchronized twin's present, ${dateOf(f.start)}, ${f.forks} forecasts of the next ${hours(f.horizonHours)}, each on its own random numbers. A machine fails when its health falls to ${plain(params.failureThreshold)}%. A quantile written "&gt; ${hours(f.horizonHours)}" lies beyond the horizon (fewer forecasts than that fail within it): it is a lower bound.</p>
<table><tr><th></th><th>health now (median)</th><th>remaining life (median)</th><th>90% interval</th><th>P(failure within ${hours(f.horizonHours)})</th><th>maintenance window (95% of forecasts still run)</th><th>plan</th></tr>
${rows}</table>
<p>Machines failing within the horizon in at least ${percent(m.risk)} of the forecasts are maintained at the next shift start (or now, when their window closes first). Running to failure against this plan over the next ${hours(f.horizonHours)}, ${replicationsOf(m.comparison)} replications each with common random numbers (mean [95% interval]):</p>
${scenarioTable(m.comparison, ['totalCost', 'downtimeHours', 'failures', 'maintenances', 'failureCost'], currency)}
${differencesHtml(
  [
    { d: m.saving, output: 'totalCost' },
    { d: m.downtimeSaved, output: 'downtimeHours' },
  ],
  currency,
)}`;
}

function crewHtml(s: CrewStudy, svg: string, params: FactoryParams, currency: string): string {
  const r = s.recommendation;
  const rows = s.crews
    .map((crew) => {
      const name = crewName(crew);
      const o = s.comparison.scenarios[name]!.outputs;
      const down = o.downtimeHours!.mean / (s.days * 24);
      const mark = crew === r.crew ? ' class="recommended"' : '';
      return `<tr${mark}><th>${escapeHtml(name)}${crew === params.technicians ? ' (current)' : ''}</th><td>${percent(down)}</td><td>${plain(o.failures!.mean)}</td>${summaryCell(s.comparison, name, 'totalCost', currency)}<td>${down <= r.target ? 'yes' : 'no'}</td><td>${crew === r.crew ? '<b>★ recommended</b>' : ''}</td></tr>`;
    })
    .join('\n');
  const against = r.against.map((a) => ({
    d: { ...a, first: a.scenario, second: r.scenario },
    output: 'totalCost',
  }));
  return `<h3>${escapeHtml(s.plant)}</h3>
<p>${s.description ? `${escapeHtml(s.description)}. ` : ''}${s.crews.length} crews, ${replicationsOf(s.comparison)} replications of ${plain(s.days)} days each from the present, with common random numbers. Recommended: <b>${escapeHtml(r.scenario)}</b>, ${
    r.meetsTarget
      ? `the cheapest crew whose downtime meets the target of ${percent(r.target)} of the time`
      : `the cheapest crew (no crew meets the target of ${percent(r.target)} of the time)`
  }.</p>
<figure>${svg}</figure>
<table><tr><th>crew</th><th>downtime (% of time)</th><th>failures</th><th>total cost (${escapeHtml(currency)})</th><th>meets target</th><th></th></tr>
${rows}</table>
<p>Cost of every other crew minus the recommended one (paired):</p>
${differencesHtml(against, currency)}`;
}

function plansHtml(d: Decisions, currency: string): string {
  const p = d.plans;
  return `<p>${p.plans.length} load plans over the next ${plain(p.days)} days from the present, ${replicationsOf(p.comparison)} replications each with common random numbers (mean [95% interval]):</p>
${scenarioTable(p.comparison, ['throughput', 'oee', 'availability', 'downtimeHours'], currency)}
${differencesHtml(
  [
    { d: p.throughput, output: 'throughput' },
    { d: p.oee, output: 'oee' },
  ],
  currency,
)}`;
}

/** Every paired comparison of one study: every output, every pair, with its confidence. */
function appendixTable(title: string, comparison: ScenarioComparisonResults, currency: string): string {
  const order = Object.keys(OUTPUTS);
  const outputs = Object.keys(comparison.outputs).sort(
    (a, b) => (order.indexOf(a) + 1 || order.length + 1) - (order.indexOf(b) + 1 || order.length + 1),
  );
  const rows = outputs.flatMap((output) => {
    const o = comparison.outputs[output]!;
    const f = outputFormat(output);
    return o.comparisons.map((c) => {
      const d = difference(comparison, output, c.first, c.second);
      const v = (x: number) => f.difference(x, currency);
      return `<tr><td>${escapeHtml(heading(f))}</td><td>${escapeHtml(c.first)} − ${escapeHtml(c.second)}</td><td>${escapeHtml(interval(d.mean, d.lower, d.upper, v, { degenerate: d.degenerate }))}</td><td>${d.significant ? 'excludes zero' : d.degenerate && d.mean === 0 ? 'none' : 'no detectable difference'}</td><td>${percent(o.perComparisonConfidence, 4)}</td></tr>`;
    });
  });
  return `<h3>${escapeHtml(title)}</h3>
<table class="appendix"><tr><th>output</th><th>difference (first − second)</th><th>mean [interval]</th><th>verdict</th><th>confidence of each interval</th></tr>
${rows.join('\n')}</table>`;
}

const GLOSSARY: [string, string][] = [
  [
    'DES (discrete-event simulation)',
    'The production line as a sequence of events: a part arrives, a machine starts or finishes it, a machine breaks down or is repaired. Nothing happens between events, so weeks of work run in seconds.',
  ],
  [
    'SD (system dynamics)',
    'Quantities that change smoothly over time, here the health of each machine, which wears down faster while the machine works than while it idles.',
  ],
  [
    'ABM (agent-based model)',
    'Individuals with their own behaviour, here the technicians: each waits at a post, walks the floor to a broken machine, repairs it and walks back.',
  ],
  [
    'EKF (extended Kalman filter)',
    'The method that keeps the twin in step with the plant: it cannot see a machine’s health, so it corrects its estimate with every vibration and temperature reading, and keeps track of how unsure it is (the ±2 sd band).',
  ],
  [
    'SD of an estimate (standard deviation)',
    'How far the estimate may plausibly be from the truth; about 95% of the time the truth lies within two of them.',
  ],
  [
    'Replication and forecast',
    'One run of the twin into the future with its own random numbers (arrivals, processing and repair times). Many of them show the range of what may happen.',
  ],
  [
    'CRN (common random numbers)',
    'Every scenario of a study is run on the same random numbers in replication i: the same parts arrive, the same repairs take as long. A difference between scenarios then comes from the decision, not from luck, so fewer replications are needed to see it.',
  ],
  [
    'Interval of a mean',
    'A value in a table is the mean over the replications with its 95% t interval: the range the true mean lies in, 95 times out of 100.',
  ],
  [
    'Paired interval of a difference',
    'With CRN the difference is taken replication by replication and its mean gets a t interval. When a study compares more than two scenarios, each interval is widened (Bonferroni) so that all the intervals of a table are right together with 95% confidence. An interval that includes zero means the study cannot tell the two apart: "no detectable difference".',
  ],
  [
    `Same in every replication (${SAME_MARKER})`,
    'A difference that does not depend on chance, such as the labour bill of one more technician when the crews see the same downtime: its interval has no width, so only the value is written.',
  ],
  [
    'Remaining life and censoring',
    'The time until a machine’s next failure, from the forecasts: the median and the 5% and 95% quantiles. When a quantile falls on forecasts in which the machine does not fail before the horizon, only a lower bound is known and it is written "> horizon".',
  ],
  [
    'Maintenance window',
    'From now until the time by which 5% of the forecasts have seen the machine fail: maintaining it within that window avoids the failure in 95% of them.',
  ],
  [
    'OEE (overall equipment effectiveness)',
    'Availability × performance: the share of the time the machines produce at their ideal speed.',
  ],
];

/** Builds the report's HTML. */
export async function renderReport(data: ReportData): Promise<string> {
  const { params, settings, decisions } = data;
  const currency = settings.currency;
  const [health, errors, telemetry, fan, gantt, floor, ...crewSvgs] = await Promise.all([
    renderSvg(healthSpec(data.estimates)),
    renderSvg(errorSpec(data.estimates)),
    renderSvg(telemetrySpec(data.telemetry, data.estimates, params)),
    renderSvg(fanSpec(decisions.forecast, params.failureThreshold)),
    renderSvg(ganttSpec(decisions.forecast)),
    renderSvg(floorSpec(floorLayout(params.machines), params.technicians, data.walks)),
    ...decisions.crews.map((s) => renderSvg(costSpec(s, currency))),
  ]);
  const timings = Object.entries(data.timings)
    .map(([k, v]) => `${escapeHtml(k)} ${plain(v / 1000, 2)} s`)
    .join(', ');
  const f = decisions.forecast;
  const crewAsIs = plantAsIs(decisions).recommendation;
  const maintained = decisions.maintenance.plan
    .map((o) => `machine ${o.machine + 1} ${whenText(o.at, f.start)}`)
    .join(', ');
  const [plan1, plan2] = decisions.plans.plans;
  const glance = [
    ['Which crew?', `${crewAsIs.scenario} (plant as is)`, `#crews`],
    ['Which machines to maintain, and when?', maintained || 'none in the horizon', '#maintenance'],
    [
      'What does the second plan give?',
      plan1 && plan2
        ? `${plan2.name}: ${outputInterval(OUTPUTS.throughput!, decisions.plans.throughput, number)} against ${plan1.name}`
        : 'one plan only',
      '#plans',
    ],
  ]
    .map(
      ([q, a, href]) =>
        `<tr><th>${escapeHtml(q!)}</th><td>${escapeHtml(a!)}</td><td><a href="${href}">evidence</a></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>twinkit hybrid factory twin</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; } th, td { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
.decision { font-size: 110%; padding: 0.6em 0.9em; background: #eef5fb; border-left: 4px solid #4c78a8; }
tr.recommended { background: #fdecea; } .noise { color: #555; } table.appendix { font-size: 90%; }
figure { margin: 1em 0; overflow-x: auto; } code { background: #f4f4f4; padding: 0 3px; } dt { font-weight: 600; margin-top: 0.5em; }
</style></head><body>
<h1>Hybrid factory twin: what to do now</h1>
<p class="decision">${decisionText(decisions, params, settings, true)}</p>

<h2 id="decision">The decision at a glance</h2>
<table>${glance}</table>
<p>A production line of ${params.machines} machines (DES), their health (SD, one stock per machine) and
${params.technicians} maintenance technicians (ABM) on one simulated clock. Seed ${settings.seed};
${plain(settings.days)} days of plant history (${plain(data.telemetryLines)} telemetry lines) up to ${dateOf(f.start)}; costs in ${escapeHtml(currency)}
(${money(params.technicianCost, currency)} per technician-hour, ${money(params.downtimeCost, currency)} per machine-hour down,
${money(params.failureCost, currency)} per failure beyond its downtime). Reading the numbers: a value is a mean over replications and
[a, b] its 95% interval; ${escapeHtml(SAME_NOTE)}. Differences whose interval includes zero are listed as "no detectable
difference"; every comparison is in the <a href="#appendix">appendix</a>. Computing time: ${timings}.</p>

<h2 id="maintenance">Predictive maintenance: remaining life and when to maintain</h2>
${maintenanceHtml(decisions, params, currency)}

<h2 id="crews">Crew size: the plant as it is and a stressed plant</h2>
${decisions.crews.map((s, i) => crewHtml(s, crewSvgs[i]!, params, currency)).join('\n')}

<h2 id="plans">Production plans</h2>
${plansHtml(decisions, currency)}

<h2 id="forecast">Forecast: health and machine states over the next ${hours(f.horizonHours)}</h2>
<p>${f.forks} forecasts of the synchronized twin from ${dateOf(f.start)}, each on its own random numbers, failures coming from each forecast's own health (${plain(f.forkMs, 2)} ms to fork the twin).</p>
<figure>${fan}</figure>
<figure>${gantt}</figure>

<h2 id="sync">State estimation: the twin follows the plant</h2>
<p>The plant started with health ${data.initialHealth.map((h) => `${plain(h)}%`).join(', ')} (hidden from the twin,
which starts at the mean with the matching spread) and had ${data.plantFailures} failure${data.plantFailures === 1 ? '' : 's'}. An EKF per machine
used ${plain(data.syncCounts.used)} vibration and temperature readings of ${plain(data.telemetryLines)} telemetry lines. Not used:
${data.syncCounts.uncertain} flagged <code>uncertain</code> (taken while a machine was stopped) and
${data.syncCounts.whileDown} taken while the twin's machine was down (after the repair its health is known). State reports:
${data.syncCounts.failureReports} stops that failed the twin's machines, ${data.syncCounts.otherStateReports} others (restarts). The estimate was within its ±2 sd band of the hidden health at
<b>${percent(data.withinBand)}</b> of the updates (a consistent filter: about 95%); RMSE ${plain(data.rmse)} health points.</p>
<figure>${health}</figure>
<figure>${errors}</figure>
<p>The raw readings (blue; red dots: flagged uncertain) against what the twin expects from its health estimate (line, with a ±2 sd band from the estimate's uncertainty and the sensor noise of ${plain(params.vibrationNoise)} g and ${plain(params.temperatureNoise)} °C):</p>
<figure>${telemetry}</figure>

<h2 id="floor">Technicians on the floor</h2>
<figure>${floor}</figure>
<p>Solid: walks to a failed machine (dispatched to the nearest available technician); dashed: walks back to the technician's post (T1, T2, ...).</p>

<h2 id="glossary">Glossary</h2>
<dl>${GLOSSARY.map(([term, text]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(text)}</dd>`).join('\n')}</dl>

<h2 id="appendix">Appendix: every paired comparison</h2>
<p>Every output of every study, every pair of scenarios (first − second, paired with common random numbers); the confidence of each interval is Bonferroni-adjusted so that all intervals of a study's output hold together at 95%.</p>
${appendixTable('Maintenance: run to failure against the plan', decisions.maintenance.comparison, currency)}
${decisions.crews.map((s) => appendixTable(`Crews: ${s.plant}`, s.comparison, currency)).join('\n')}
${appendixTable('Production plans', decisions.plans.comparison, currency)}
</body></html>
`;
}
