/**
 * The HTML report of the turbofan twin: a self-contained page of plain inline SVG (no network, no
 * script): the health indicator of training engines against cycles, forecast fans of a few test
 * engines, the cross-validated accuracy and the predictions of every test engine.
 */
import { RandomStream } from '@twinkit/core';
import type { Accuracy } from './cv';
import type { TestForecast, TurbofanRun } from './main';
import { healthSeries, TIME_SCALE } from './model';

const W = 640;
const H = 300;
const M = { left: 50, right: 15, top: 15, bottom: 40 };

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Axes {
  x: (v: number) => number;
  y: (v: number) => number;
  svg: string[];
}

function axes(xMax: number, yMin: number, yMax: number, xLabel: string, yLabel: string): Axes {
  const x = (v: number) => M.left + (v / xMax) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - ((v - yMin) / (yMax - yMin)) * (H - M.top - M.bottom);
  const svg: string[] = [];
  svg.push(
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`,
  );
  svg.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>`);
  const xStep = xMax > 300 ? 100 : 50;
  for (let v = 0; v <= xMax; v += xStep)
    svg.push(
      `<text x="${x(v).toFixed(1)}" y="${H - M.bottom + 14}" font-size="10" text-anchor="middle">${v}</text>`,
    );
  const yStep = (yMax - yMin) / 4;
  for (let k = 0; k <= 4; k++) {
    const v = yMin + k * yStep;
    svg.push(
      `<text x="${M.left - 5}" y="${(y(v) + 3).toFixed(1)}" font-size="10" text-anchor="end">${v.toFixed(1)}</text>`,
    );
  }
  svg.push(
    `<text x="${(W + M.left) / 2}" y="${H - 8}" font-size="11" text-anchor="middle">${escapeHtml(xLabel)}</text>`,
  );
  svg.push(
    `<text x="12" y="${H / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${H / 2})">${escapeHtml(yLabel)}</text>`,
  );
  return { x, y, svg };
}

function polyline(points: [number, number][], color: string, width = 1, opacity = 1): string {
  const d = points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
  return `<polyline points="${d}" fill="none" stroke="${color}" stroke-width="${width}" stroke-opacity="${opacity}"/>`;
}

function svg(body: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${body.join('')}</svg>`;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** The HI of the first training engines against cycles, with the failure threshold. */
function healthChart(run: TurbofanRun): string {
  const engines = run.train.slice(0, 8);
  const xMax = Math.ceil(Math.max(...engines.map((e) => e.cycles.length)) / 50) * 50;
  const a = axes(xMax, -0.5, 1.5, 'cycle', 'health indicator');
  engines.forEach((e, i) => {
    const h = healthSeries(run.model.hi, e);
    a.svg.push(
      polyline(
        h.map((v, k) => [a.x(e.cycles[k]!), a.y(v)]),
        COLORS[i % COLORS.length]!,
        1,
        0.8,
      ),
    );
  });
  const thr = a.y(run.model.threshold.mean);
  a.svg.push(
    `<line x1="${M.left}" y1="${thr}" x2="${W - M.right}" y2="${thr}" stroke="#000" stroke-dasharray="4 3"/>`,
    `<text x="${W - M.right - 4}" y="${thr - 4}" font-size="10" text-anchor="end">failure threshold (mean)</text>`,
  );
  return svg(a.svg);
}

/** The fan of one test engine: its HI, the forecast trend's 5-95% band and its RUL interval. */
function fanChart(run: TurbofanRun, f: TestForecast): string {
  const now = f.observed;
  const end = Math.min(now + Math.max(f.hi90, 20) + 30, now + 400);
  const xMax = Math.ceil(end / 50) * 50;
  const a = axes(xMax, -0.5, 1.5, `cycle (engine ${f.unit})`, 'health indicator');
  // Sample the posterior state and run each sample's trend forward: per-cycle 5%, 50%, 95% health.
  const rng = new RandomStream({ seed: 19, name: 'turbofan/report', replication: 0, forkPath: '' });
  const n = 300;
  const d = 1 / TIME_SCALE;
  const L = cholesky3(f.cov);
  const steps = Math.max(1, Math.round(end - now));
  const paths = Array.from({ length: steps + 1 }, () => new Float64Array(n));
  for (let s = 0; s < n; s++) {
    const z = [rng.normal(0, 1), rng.normal(0, 1), rng.normal(0, 1)];
    let h = f.mean[0]! + L[0]![0]! * z[0]!;
    let v = f.mean[1]! + L[1]![0]! * z[0]! + L[1]![1]! * z[1]!;
    const acc = f.mean[2]! + L[2]![0]! * z[0]! + L[2]![1]! * z[1]! + L[2]![2]! * z[2]!;
    for (let k = 0; k <= steps; k++) {
      paths[k]![s] = h;
      h += v * d + (acc * d * d) / 2;
      v += acc * d;
    }
  }
  const q = (arr: Float64Array, p: number) => {
    const sorted = Float64Array.from(arr).sort();
    return sorted[Math.round(p * (sorted.length - 1))]!;
  };
  const lo = paths.map((p, k): [number, number] => [a.x(now + k), a.y(Math.max(-0.5, q(p, 0.05)))]);
  const hi = paths.map((p, k): [number, number] => [a.x(now + k), a.y(Math.min(1.5, q(p, 0.95)))]);
  const mid = paths.map((p, k): [number, number] => [a.x(now + k), a.y(Math.max(-0.5, q(p, 0.5)))]);
  const band = [...lo, ...hi.reverse()].map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
  a.svg.push(`<polygon points="${band}" fill="#1f77b4" fill-opacity="0.2" stroke="none"/>`);
  a.svg.push(polyline(mid, '#1f77b4', 1.5));
  a.svg.push(
    polyline(
      f.health.map((v, k): [number, number] => [a.x(k + 1), a.y(v)]).filter(([, py]) => Number.isFinite(py)),
      '#333',
      1,
    ),
  );
  const thr = a.y(run.model.threshold.mean);
  a.svg.push(
    `<line x1="${M.left}" y1="${thr}" x2="${W - M.right}" y2="${thr}" stroke="#000" stroke-dasharray="4 3"/>`,
  );
  const y0 = H - M.bottom - 6;
  a.svg.push(
    `<line x1="${a.x(now + f.lo90)}" y1="${y0}" x2="${a.x(now + f.hi90)}" y2="${y0}" stroke="#d62728" stroke-width="3"/>`,
    `<circle cx="${a.x(now + f.rul)}" cy="${y0}" r="4" fill="#d62728"/>`,
    `<line x1="${a.x(now)}" y1="${M.top}" x2="${a.x(now)}" y2="${H - M.bottom}" stroke="#999"/>`,
    `<text x="${a.x(now) + (now > xMax / 2 ? -4 : 4)}" y="${M.top + 10}" font-size="10" text-anchor="${now > xMax / 2 ? 'end' : 'start'}">now (cycle ${now}): RUL ${f.rul.toFixed(0)} [${f.lo90.toFixed(0)}, ${f.hi90.toFixed(0)}]</text>`,
  );
  return svg(a.svg);
}

function cholesky3(A: readonly (readonly number[])[]): number[][] {
  const L = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j <= i; j++) {
      let s = A[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = i === j ? Math.sqrt(Math.max(s, 1e-18)) : s / L[j]![j]!;
    }
  return L;
}

function accuracyRow(name: string, a: Accuracy): string {
  return `<tr><td>${escapeHtml(name)}</td><td>${a.n}</td><td>${a.rmse.toFixed(1)}</td><td>${a.bias.toFixed(1)}</td><td>${a.score.toExponential(2)}</td><td>${a.meanScore.toFixed(2)}</td><td>${(100 * a.coverage).toFixed(1)}%</td><td>${a.width.toFixed(1)}</td></tr>`;
}

/** The report page. */
export function renderReport(run: TurbofanRun, cap: number): string {
  const { uniform, testLike } = run.accuracy;
  const picks = [...run.forecasts].sort((x, y) => x.observed - y.observed);
  const fans = [picks[0]!, picks[Math.floor(picks.length / 2)]!, picks[picks.length - 1]!];
  const rows = run.forecasts
    .map(
      (f) =>
        `<tr><td>${f.unit}</td><td>${f.observed}</td><td>${f.rul.toFixed(0)}</td><td>${f.lo90.toFixed(0)}</td><td>${f.hi90.toFixed(0)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Turbofan remaining life (C-MAPSS FD001)</title>
<style>body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}td:first-child{text-align:left}</style></head><body>
<h1>Remaining life of NASA's C-MAPSS FD001 turbofans</h1>
<p>A degradation twin calibrated on ${run.train.length} engines run to failure, kept in step with each of
${run.forecasts.length} test engines by a Kalman filter over its replayed telemetry, and forecast by forking the
synchronized twin: Monte Carlo replications from its snapshot on worker threads, with common random numbers.</p>
<h2>Cross-validated accuracy</h2>
<p>5 folds by engine; each held-out engine cut at 5 random cycles and its remaining life predicted from the cycles up to the cut.
"Capped" caps the true and predicted RUL at ${cap} cycles (the convention of the published figures); "true RUL" does not.
Uniform cuts: uniformly from cycle 31 to the last but one; test-like cuts: drawn from the test engines' observed lengths.</p>
<table><tr><th>cuts, target</th><th>n</th><th>RMSE</th><th>bias</th><th>PHM08 score</th><th>score per prediction</th><th>90% coverage</th><th>mean 90% width</th></tr>
${accuracyRow('uniform, true RUL', uniform.raw)}
${accuracyRow(`uniform, capped at ${cap}`, uniform.capped)}
${accuracyRow(`uniform, cuts with true RUL ≤ ${cap}`, uniform.near)}
${accuracyRow('test-like, true RUL', testLike.raw)}
${accuracyRow(`test-like, capped at ${cap}`, testLike.capped)}
${accuracyRow(`test-like, cuts with true RUL ≤ ${cap}`, testLike.near)}
</table>
<h2>Health indicator of training engines</h2>
<p>The first 8 training engines; the dashed line is the mean failure threshold.</p>
${healthChart(run)}
<h2>Forecast fans</h2>
<p>The test engines observed for the fewest, the median and the most cycles: their health indicator (grey),
the forecast trend's median and 5-95% band (blue), and the predicted failure: median and 90% interval (red).</p>
${fans.map((f) => fanChart(run, f)).join('\n')}
<h2>Predictions of the test engines</h2>
<table><tr><th>unit</th><th>cycles observed</th><th>RUL</th><th>lo90</th><th>hi90</th></tr>${rows}</table>
</body></html>
`;
}
