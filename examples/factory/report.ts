/**
 * The HTML report: a self-contained page (inline SVG rendered by Vega's headless renderer from
 * Vega-Lite specs, no network needed) with the estimation, prediction and what-if results.
 */

import type { ScenarioComparisonResults } from '@twinkit/estimation';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { type FloorLayout, floorLayout, technicianPosts, type WalkRecord } from './model';
import type { FactoryParams, RunSettings } from './params';
import type { EstimatePoint, MachineForecast, Recommendation, SyncCounts } from './twin';

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
  forecasts: MachineForecast[];
  whatIf: ScenarioComparisonResults;
  recommendation: Recommendation;
  walks: readonly WalkRecord[];
  timings: Record<string, number>;
  telemetryLines: number;
}

const KPI_LABELS: Record<string, string> = {
  throughput: 'Throughput (parts/h)',
  utilization: 'Machine utilization',
  downtimeHours: 'Downtime per machine (h)',
  availability: 'Availability',
  failures: 'Failures',
  oee: 'OEE',
  technicianUtilization: 'Technician utilization',
  totalCost: 'Cost: labour + downtime',
};

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

/** Keeps at most `max` points per machine, evenly spaced (for the plot only). */
function thin(points: readonly EstimatePoint[], machines: number, max: number): EstimatePoint[] {
  const out: EstimatePoint[] = [];
  for (let m = 0; m < machines; m++) {
    const own = points.filter((p) => p.machine === m);
    const step = Math.max(1, Math.ceil(own.length / max));
    own.forEach((p, i) => {
      if (i % step === 0 || i === own.length - 1) out.push(p);
    });
  }
  return out;
}

/** Builds the Vega-Lite spec of estimated vs true health per machine, with the ±2 sd band. */
export function healthSpec(points: readonly EstimatePoint[], machines: number): Record<string, unknown> {
  const values = thin(points, machines, 400).map((p) => ({
    machine: `machine ${p.machine + 1}`,
    day: p.t / 1440,
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
            x: { field: 'day', type: 'quantitative', title: 'day' },
            y: { field: 'lower', type: 'quantitative', title: 'health (%)', scale: { zero: false } },
            y2: { field: 'upper' },
          },
        },
        {
          mark: { type: 'line', color: '#222', strokeWidth: 1.5 },
          encoding: {
            x: { field: 'day', type: 'quantitative' },
            y: { field: 'truth', type: 'quantitative' },
          },
        },
        {
          mark: { type: 'line', color: '#f58518', strokeWidth: 1, strokeDash: [4, 2] },
          encoding: {
            x: { field: 'day', type: 'quantitative' },
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
export function errorSpec(points: readonly EstimatePoint[], machines: number): Record<string, unknown> {
  const values = thin(points, machines, 600).map((p) => ({
    machine: `machine ${p.machine + 1}`,
    day: p.t / 1440,
    error: p.estimate - p.truth,
    lower: -2 * p.sd,
    upper: 2 * p.sd,
  }));
  return {
    data: { values },
    transform: [{ filter: 'datum.day >= 0.25' }],
    facet: { row: { field: 'machine', type: 'nominal', title: null } },
    spec: {
      width: 720,
      height: 70,
      layer: [
        {
          mark: { type: 'area', opacity: 0.35, color: '#f58518' },
          encoding: {
            x: { field: 'day', type: 'quantitative', title: 'day' },
            y: { field: 'lower', type: 'quantitative', title: 'error' },
            y2: { field: 'upper' },
          },
        },
        {
          mark: { type: 'line', color: '#222', strokeWidth: 1 },
          encoding: {
            x: { field: 'day', type: 'quantitative' },
            y: { field: 'error', type: 'quantitative' },
          },
        },
      ],
    },
    title: 'Estimation error (estimate − truth, black) inside the filter’s ±2 sd band (orange), from 6 h on',
  };
}

/** Builds the Vega-Lite spec comparing the scenarios' KPIs (means with 95% intervals). */
export function kpiSpec(results: ScenarioComparisonResults): Record<string, unknown> {
  const values: Record<string, unknown>[] = [];
  for (const [scenario, run] of Object.entries(results.scenarios)) {
    for (const [kpi, label] of Object.entries(KPI_LABELS)) {
      const o = run.outputs[kpi];
      if (o) values.push({ scenario, kpi: label, mean: o.mean, lower: o.lower, upper: o.upper });
    }
  }
  return {
    data: { values },
    facet: { field: 'kpi', type: 'nominal', title: null, sort: Object.values(KPI_LABELS) },
    columns: 4,
    spec: {
      width: 110,
      height: 180,
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 2 },
          encoding: {
            x: { field: 'scenario', type: 'nominal', title: null },
            y: { field: 'lower', type: 'quantitative', scale: { zero: false }, title: 'mean with 95% CI' },
            y2: { field: 'upper' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x: { field: 'scenario', type: 'nominal' },
            y: { field: 'mean', type: 'quantitative' },
            color: { field: 'scenario', type: 'nominal', legend: null },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    title: 'What-if: KPIs per technician count (mean and 95% confidence interval over replications)',
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

/** Builds the Vega-Lite spec of the forecast: failures per machine and first-failure quantiles. */
export function forecastSpec(
  forecasts: readonly MachineForecast[],
  horizonDays: number,
): Record<string, unknown> {
  const values = forecasts.map((f) => ({
    machine: `machine ${f.machine + 1}`,
    mean: f.failures.mean,
    lower: f.failures.lower,
    upper: f.failures.upper,
    first5: f.firstFailureHours?.[0] ?? null,
    first50: f.firstFailureHours?.[1] ?? null,
    first95: f.firstFailureHours?.[2] ?? null,
  }));
  return {
    data: { values },
    hconcat: [
      {
        width: 260,
        height: 150,
        title: `Failures in the next ${horizonDays} days (mean, 95% CI)`,
        layer: [
          {
            mark: { type: 'bar', color: '#9ecae9' },
            encoding: {
              y: { field: 'machine', type: 'nominal', title: null },
              x: { field: 'mean', type: 'quantitative', title: 'failures' },
            },
          },
          {
            mark: { type: 'rule', strokeWidth: 2 },
            encoding: {
              y: { field: 'machine', type: 'nominal' },
              x: { field: 'lower', type: 'quantitative' },
              x2: { field: 'upper' },
            },
          },
        ],
      },
      {
        width: 260,
        height: 150,
        title: 'First failure, hours from now (5%, 50%, 95%)',
        transform: [{ filter: 'datum.first50 != null' }],
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 2 },
            encoding: {
              y: { field: 'machine', type: 'nominal', title: null },
              x: {
                field: 'first5',
                type: 'quantitative',
                title: 'hours',
                scale: { domain: [0, horizonDays * 24] },
              },
              x2: { field: 'first95' },
            },
          },
          {
            mark: { type: 'point', filled: true, size: 60 },
            encoding: {
              y: { field: 'machine', type: 'nominal' },
              x: { field: 'first50', type: 'quantitative' },
            },
          },
        ],
      },
    ],
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Formats an amount of money as a whole number with thousands separators. */
function money(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

function fmt(v: number, digits = 3): string {
  return Number.isFinite(v) ? v.toPrecision(digits) : String(v);
}

/**
 * Says which technician count the study recommends and how sure it is, in one sentence
 * (plain text, or HTML with the scenario in bold).
 */
export function recommendationText(
  r: Recommendation,
  params: Pick<FactoryParams, 'technicianCost' | 'downtimeCost'>,
  days: number,
  html = false,
): string {
  const name = html ? `<b>${escapeHtml(r.scenario)}</b>` : r.scenario;
  const others = r.against
    .map(
      (a) =>
        `${a.scenario} cost ${money(a.difference)} more [${money(a.lower)}, ${money(a.upper)}]${a.significant ? '' : ' (not significant)'}`,
    )
    .join('; ');
  return `Cheapest: ${name}, ${money(r.totalCost)} per ${days} days at ${money(params.technicianCost)} per technician-hour and ${money(params.downtimeCost)} per machine-hour down; ${others} (paired intervals, all together at 95%).`;
}

/**
 * The decision, in one paragraph, for the top of the console output and of the report: the
 * recommended crew, its saving against every alternative with the paired 95% interval, how sure
 * the study is, and what would change the answer (the downtime one more technician would have to
 * save to pay for itself at these prices).
 */
export function decisionText(
  r: Recommendation,
  params: Pick<FactoryParams, 'technicianCost' | 'downtimeCost'>,
  days: number,
  html = false,
): string {
  const name = html ? `<b>${escapeHtml(r.scenario)}</b>` : r.scenario;
  const savings = r.against
    .map((a) =>
      // A degenerate interval is a difference that is the same in every replication (with common
      // random numbers, e.g. a labour bill when the crews see the same downtime): say so.
      money(a.lower) === money(a.upper)
        ? `${money(a.difference)} less than ${a.scenario} (the same in every replication)`
        : `${money(a.difference)} less than ${a.scenario} (95% paired interval ${money(a.lower)} to ${money(a.upper)})`,
    )
    .join('; ');
  const sure = r.against.every((a) => a.significant)
    ? 'Every saving\u2019s interval excludes zero, so the study is sure of this choice (all intervals together at 95%).'
    : `Not every saving is sure: the interval against ${r.against
        .filter((a) => !a.significant)
        .map((a) => a.scenario)
        .join(', ')} includes zero (no detectable difference).`;
  // One more technician costs technicianCost × 24 × days; it pays only if it saves that much downtime.
  const breakEven = (params.technicianCost * 24 * days) / Math.max(params.downtimeCost, Number.EPSILON);
  return `Recommendation: ${name}. Over ${days} days it costs ${money(r.totalCost)} (labour and downtime), ${savings}. ${sure} What would change it: one more technician pays for itself only if it saves more than ${breakEven.toFixed(0)} machine-hours of downtime per ${days} days (at ${money(params.technicianCost)} per technician-hour and ${money(params.downtimeCost)} per machine-hour down), that is if repairs start to queue (many more failures or longer repairs), or if a machine-hour down costs more.`;
}

/** Builds the report's HTML. */
export async function renderReport(data: ReportData): Promise<string> {
  const { params, settings, whatIf } = data;
  const [health, errors, kpis, floor, forecast] = await Promise.all([
    renderSvg(healthSpec(data.estimates, params.machines)),
    renderSvg(errorSpec(data.estimates, params.machines)),
    renderSvg(kpiSpec(whatIf)),
    renderSvg(floorSpec(floorLayout(params.machines), params.technicians, data.walks)),
    renderSvg(forecastSpec(data.forecasts, settings.horizonDays)),
  ]);
  const scenarioRows = Object.entries(whatIf.scenarios)
    .map(([name, run]) => {
      const cells = Object.keys(KPI_LABELS).map((k) => {
        const o = run.outputs[k]!;
        const f = (v: number) => (k === 'totalCost' ? money(v) : fmt(v, 4));
        return `<td>${f(o.mean)} <span class="ci">[${f(o.lower)}, ${f(o.upper)}]</span></td>`;
      });
      const up = run.outputs.uptimeHours!.values.reduce((a, b) => a + b, 0);
      const failures = run.outputs.failures!.values.reduce((a, b) => a + b, 0);
      return `<tr><th>${escapeHtml(name)}</th>${cells.join('')}<td>${failures > 0 ? fmt(up / failures, 4) : 'no failures'}</td></tr>`;
    })
    .join('\n');
  const comparisons = Object.entries(whatIf.outputs)
    .filter(([k]) => k in KPI_LABELS)
    .flatMap(([k, o]) => {
      // Differences below a billionth of the KPI's size are rounding noise of equal sums: show 0.
      const scale = Math.max(...Object.values(whatIf.scenarios).map((r) => Math.abs(r.outputs[k]!.mean)));
      const f = (v: number) => {
        const clean = Math.abs(v) < 1e-9 * scale ? 0 : v;
        return k === 'totalCost' ? money(clean) : fmt(clean, 4);
      };
      return o.comparisons.map(
        (c) =>
          `<tr><td>${escapeHtml(KPI_LABELS[k]!)}</td><td>${escapeHtml(c.first)} − ${escapeHtml(c.second)}</td><td>${f(c.method === 'paired' ? c.mean : c.difference)}</td><td>[${f(c.lower)}, ${f(c.upper)}]</td><td>${fmt(o.perComparisonConfidence, 4)}</td></tr>`,
      );
    })
    .join('\n');
  const forecastRows = data.forecasts
    .map(
      (f) =>
        `<tr><th>machine ${f.machine + 1}</th><td>${fmt(f.failures.mean)} [${fmt(f.failures.lower)}, ${fmt(f.failures.upper)}]</td><td>${(100 * f.probability).toFixed(0)}%</td><td>${f.firstFailureHours ? f.firstFailureHours.map((h) => h.toFixed(0)).join(' / ') : '–'}</td></tr>`,
    )
    .join('\n');
  const timings = Object.entries(data.timings)
    .map(([k, v]) => `${escapeHtml(k)} ${(v / 1000).toFixed(1)} s`)
    .join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>twinkit hybrid factory twin</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; } th, td { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: left; }
.decision { font-size: 110%; padding: 0.6em 0.9em; background: #eef5fb; border-left: 4px solid #4c78a8; }
.ci { color: #777; font-size: 90%; } figure { margin: 1em 0; overflow-x: auto; } code { background: #f4f4f4; padding: 0 3px; }
</style></head><body>
<h1>Hybrid factory twin</h1>
<p class="decision">${decisionText(data.recommendation, params, settings.whatIfDays, true)}</p>
<p>A production line of ${params.machines} machines (DES), their health (SD, one stock per machine) and
${params.technicians} maintenance technicians (ABM) on one simulated clock. Seed ${settings.seed};
${settings.days} days of plant history (${data.telemetryLines} telemetry lines); timings: ${timings}.</p>

<h2>1. State estimation: the twin follows the plant</h2>
<p>The plant started with health ${data.initialHealth.map((h) => h.toFixed(1)).join(', ')} (hidden from the twin,
which starts at the mean with the matching spread) and had ${data.plantFailures} failures. An EKF per machine
used ${data.syncCounts.used} vibration and temperature readings of ${data.telemetryLines} telemetry lines. Not used:
${data.syncCounts.uncertain} flagged <code>uncertain</code> (taken while a machine was stopped) and
${data.syncCounts.whileDown} taken while the twin's machine was down (after the repair its health is known). State reports:
${data.syncCounts.failureReports} stops that failed the twin's machines, ${data.syncCounts.otherStateReports} others (restarts). The estimate was within its ±2 sd band of the hidden health at
<b>${(100 * data.withinBand).toFixed(1)}%</b> of the updates (a consistent filter: about 95%); RMSE ${fmt(data.rmse)} health points.</p>
<figure>${health}</figure>
<figure>${errors}</figure>

<h2>2. Prediction: the next ${settings.horizonDays} days from the synchronized twin</h2>
<p>${settings.forks} forks of the synchronized twin, each on its own random numbers from the end of the data.</p>
<table><tr><th></th><th>failures (mean, 95% CI)</th><th>P(at least one)</th><th>first failure, h (5% / 50% / 95%)</th></tr>
${forecastRows}</table>
<figure>${forecast}</figure>

<h2>3. What-if: ${settings.scenarios.join(' vs ')} technicians</h2>
<p>${settings.replications} replications of ${settings.whatIfDays} days per scenario, starting from the twin's present state (its estimated health, machines down, parts in the buffers, technicians on their jobs) with each scenario's crew,
with common random numbers (replication <i>i</i> of every scenario sees the same arrivals, processing
times and repair times), on ${settings.workers} worker thread(s). Each cell: mean [95% CI].</p>
<table><tr><th></th>${Object.values(KPI_LABELS)
    .map((l) => `<th>${escapeHtml(l)}</th>`)
    .join('')}<th>MTBF (h: machine uptime / failures, pooled)</th></tr>
${scenarioRows}</table>
<figure>${kpis}</figure>
<p>${recommendationText(data.recommendation, params, settings.whatIfDays, true)}</p>
<p>Paired differences (common random numbers; Bonferroni-adjusted confidence per interval so that all hold together at 95%):</p>
<table><tr><th>KPI</th><th>difference</th><th>mean</th><th>interval</th><th>confidence each</th></tr>
${comparisons}</table>

<h2>4. Technicians on the floor</h2>
<figure>${floor}</figure>
<p>Solid: walks to a failed machine (dispatched to the nearest available technician); dashed: walks back to the technician's post (T1, T2, ...).</p>
</body></html>
`;
}
