/**
 * `npm run factory`: the hybrid factory twin end to end.
 *
 * 1. runs the "physical plant" (hidden truth, seeded) and writes its telemetry (JSON Lines);
 * 2. runs the twin over that telemetry (createTwin over a fileSource) with an EKF per machine health;
 * 3. from the synchronized twin's present: forecasts the next days (remaining life, health fan),
 *    and studies three decisions (common random numbers, worker threads): maintenance, crews
 *    (plant as is and a stressed plant), production plans;
 * 4. prints the decision first, then the evidence, and writes out/report.html and out/summary.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { TwinkitError } from '@twinkit/core';
import type { ScenarioComparisonResults } from '@twinkit/estimation';
import {
  crewName,
  crewStudies,
  type Decisions,
  type Difference,
  forecast,
  type LifeQuantile,
  maintenanceStudy,
  planStudy,
  type StudyContext,
} from './decisions';
import { dateOf, hours, instantOf, interval, money, percent, percentPoints, plain } from './format';
import { runLive } from './live/main';
import type { FactoryParams, RunSettings } from './params';
import { parseOptions, USAGE } from './params';
import { createProgress, progressEnabled } from './progress';
import { startFactoryQueue } from './queue';
import { decisionText, renderReport } from './report';
import { presentState, runPlant, synchronizeFile, telemetryJsonl } from './twin';

/** Streams and environment of a run (replaceable in tests). */
export interface MainIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
}

/** Runs the whole example; returns the process exit code (0 ok, 2 bad options). */
export async function main(argv: readonly string[], io: MainIo): Promise<number> {
  // `--live`: the same twin runtime fed by MQTT and Modbus, with its service and dashboard.
  if (argv.includes('--live')) return runLive(argv, io);
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (error instanceof TwinkitError) {
      io.stderr.write(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const { params, settings } = options;
  const progress = createProgress(io.stderr, progressEnabled(io.stderr, io.env));
  const timings: Record<string, number> = {};
  const started = performance.now();
  let mark = started;
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = now - mark;
    mark = now;
  };
  const out = resolve(settings.out);
  mkdirSync(out, { recursive: true });

  // 1. The physical plant and its telemetry.
  progress.update('1/4 running the physical plant', 0);
  const plant = runPlant(params, settings.seed, settings.days);
  const telemetryPath = resolve(out, 'telemetry.jsonl');
  writeFileSync(telemetryPath, telemetryJsonl(plant.readings));
  lap('plant');

  // 2. The twin reads the file back (it sees only the telemetry) and synchronizes: the live-twin
  // runtime (createTwin) over a fileSource, with the data clock.
  progress.update('2/4 synchronizing the twin (EKF)', 0);
  const sync = await synchronizeFile(params, telemetryPath, {
    seed: settings.seed + 1,
    truth: plant.readings.map((r) => r.truth),
  });
  const within =
    sync.estimates.filter((e) => Math.abs(e.estimate - e.truth) <= 2 * e.sd).length / sync.estimates.length;
  const rmse = Math.sqrt(
    sync.estimates.reduce((s, e) => s + (e.estimate - e.truth) ** 2, 0) / sync.estimates.length,
  );
  lap('synchronization');

  // 3. The decisions, each from the synchronized twin's present state (health, machines down, parts
  // in the buffers, technicians on their jobs) with common random numbers. The crew studies run on
  // worker threads (or a BullMQ queue with --redis) while this thread forks the twin for the
  // forecast; the maintenance study needs the forecast, the production plans come last.
  const present = presentState(sync.twin);
  const queue =
    settings.redis === null || settings.redis === undefined
      ? undefined
      : await startFactoryQueue(
          settings.redis,
          settings.queue ?? 'twinkit-factory',
          settings.redisWorkers ?? 2,
        );
  const studies = { crews: 0, forks: 0, maintenance: 0, plans: 0 };
  const show = (label: string) =>
    progress.update(
      label,
      (studies.forks / settings.forks + studies.crews + studies.maintenance + studies.plans) / 4,
    );
  const ctx = (key: 'crews' | 'maintenance' | 'plans', label: string): StudyContext => ({
    params,
    settings,
    present,
    ...(queue === undefined ? {} : { executor: queue.executor }),
    onProgress: (done, total) => {
      studies[key] = done / total / (key === 'crews' ? 2 : 1);
      show(label);
    },
  });
  let decisions: Decisions;
  try {
    const crewsStarted = performance.now();
    const crewsRun = crewStudies(ctx('crews', '3/4 crew studies and forecast'));
    const forkStarted = performance.now();
    const outlook = await forecast(sync.twin, {
      ...settings,
      health: sync.final,
      onProgress: (k) => {
        studies.forks = k;
        show('3/4 crew studies and forecast');
      },
    });
    timings.forecast = performance.now() - forkStarted;
    const crews = await crewsRun;
    timings.crews = performance.now() - crewsStarted;
    const maintenanceStarted = performance.now();
    const maintenance = await maintenanceStudy(ctx('maintenance', '4/4 maintenance and plans'), outlook);
    timings.maintenance = performance.now() - maintenanceStarted;
    const plansStarted = performance.now();
    const plans = await planStudy(ctx('plans', '4/4 maintenance and plans'));
    timings.plans = performance.now() - plansStarted;
    decisions = { forecast: outlook, maintenance, crews, plans };
  } finally {
    await queue?.close();
  }
  mark = performance.now();

  // 4. Report.
  progress.update('writing the report', 1);
  const html = await renderReport({
    params,
    settings,
    initialHealth: plant.initialHealth,
    plantFailures: plant.kpis.failures,
    estimates: sync.estimates,
    withinBand: within,
    rmse,
    syncCounts: sync.counts,
    decisions,
    telemetry: plant.readings,
    walks: plant.walks,
    timings,
    telemetryLines: plant.readings.length,
  });
  writeFileSync(resolve(out, 'report.html'), html);
  lap('report');
  progress.done();
  const elapsed = (performance.now() - started) / 1000;

  const lines: string[] = [];
  // The answer first, then the evidence.
  const decision = decisionText(decisions, params, settings);
  lines.push(decision);
  lines.push('');
  lines.push(
    `Hybrid factory twin: ${params.machines} machines, ${params.technicians} technicians, seed ${settings.seed}`,
  );
  lines.push('');
  lines.push(
    `1. Plant: ${settings.days} days, ${plant.kpis.failures} failures, ${plant.readings.length} telemetry lines -> ${telemetryPath}`,
  );
  lines.push(`   initial health (hidden): ${plant.initialHealth.map((h) => `${h.toFixed(1)}%`).join(', ')}`);
  lines.push(
    `2. Twin synchronized with ${sync.stats.readings.received} readings (createTwin over the file): ${sync.counts.used} used; skipped: ${sync.counts.uncertain} flagged uncertain, ${sync.counts.whileDown} taken while the twin's machine was down; state reports: ${sync.counts.failureReports} failures, ${sync.counts.otherStateReports} others`,
  );
  lines.push(
    `   estimate within its ±2 sd band ${percent(within)} of the time (about 95% expected); RMSE ${plain(rmse)} health points`,
  );
  lines.push(
    `   health now: ${sync.final.map((f, i) => `M${i + 1} ${f.estimate.toFixed(1)}±${(2 * f.sd).toFixed(1)}%`).join(', ')}`,
  );
  lines.push(
    ...evidenceLines(
      decisions,
      settings,
      queue === undefined
        ? `${settings.workers} workers`
        : `BullMQ queue '${settings.queue}' at ${settings.redis}`,
    ),
  );
  lines.push(`Report: ${resolve(out, 'report.html')}`);
  lines.push(
    `Done in ${elapsed.toFixed(1)} s (${Object.entries(timings)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
      .join(', ')})`,
  );
  io.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(
    resolve(out, 'summary.json'),
    JSON.stringify(
      summary(decisions, { decision, settings, params, plant, sync, within, rmse, timings }),
      null,
      2,
    ),
  );
  return 0;
}

/** Mean and 95% interval of every output of every scenario of a study. */
function scenarioTable(comparison: ScenarioComparisonResults) {
  return Object.fromEntries(
    Object.entries(comparison.scenarios).map(([k, r]) => [
      k,
      Object.fromEntries(
        Object.entries(r.outputs).map(([o, s]) => [o, { mean: s.mean, lower: s.lower, upper: s.upper }]),
      ),
    ]),
  );
}

/** Every paired comparison of a study (the appendix's table), by output. */
function comparisonTable(comparison: ScenarioComparisonResults) {
  return Object.fromEntries(
    Object.entries(comparison.outputs).map(([o, c]) => [
      o,
      {
        perComparisonConfidence: c.perComparisonConfidence,
        comparisons: c.comparisons.map((x) => ({
          first: x.first,
          second: x.second,
          mean: x.method === 'paired' ? x.mean : x.difference,
          lower: x.lower,
          upper: x.upper,
        })),
      },
    ]),
  );
}

/** `out/summary.json`: the answers, then every study's scenarios and full comparison tables. */
function summary(
  decisions: Decisions,
  run: {
    decision: string;
    settings: RunSettings;
    params: FactoryParams;
    plant: { initialHealth: number[]; kpis: unknown };
    sync: { counts: unknown; final: unknown };
    within: number;
    rmse: number;
    timings: Record<string, number>;
  },
) {
  const { forecast: outlook, maintenance, crews, plans } = decisions;
  return {
    decision: run.decision,
    settings: run.settings,
    params: run.params,
    plant: { initialHealth: run.plant.initialHealth, kpis: run.plant.kpis },
    sync: { counts: run.sync.counts, withinBand: run.within, rmse: run.rmse, final: run.sync.final },
    forecast: {
      start: outlook.start,
      horizonHours: outlook.horizonHours,
      forks: outlook.forks,
      life: outlook.life,
    },
    maintenance: {
      risk: maintenance.risk,
      plan: maintenance.plan.map((o) => ({ ...o, date: new Date(instantOf(o.at)).toISOString() })),
      saving: maintenance.saving,
      downtimeSaved: maintenance.downtimeSaved,
      scenarios: scenarioTable(maintenance.comparison),
      comparisons: comparisonTable(maintenance.comparison),
    },
    crews: crews.map((c) => ({
      plant: c.plant,
      description: c.description,
      days: c.days,
      recommendation: c.recommendation,
      scenarios: scenarioTable(c.comparison),
      comparisons: comparisonTable(c.comparison),
    })),
    plans: {
      plans: plans.plans,
      days: plans.days,
      throughput: plans.throughput,
      oee: plans.oee,
      scenarios: scenarioTable(plans.comparison),
      comparisons: comparisonTable(plans.comparison),
    },
    timings: run.timings,
  };
}

/** A difference in words: its mean and 95% interval, or "the same in every replication". */
function said(d: Difference, f: (v: number) => string): string {
  return d.degenerate
    ? `${f(d.mean)} (the same in every replication)`
    : interval(d.mean, d.lower, d.upper, f);
}

/** The console's evidence after the decision: forecast, maintenance, crews, plans (hours, %, currency). */
function evidenceLines(decisions: Decisions, settings: RunSettings, where: string): string[] {
  const { forecast: outlook, maintenance, crews, plans } = decisions;
  const cash = (v: number) => money(v, settings.currency);
  const life = (q: LifeQuantile) => (q.censored ? `> ${hours(q.hours)}` : hours(q.hours));
  const lines = [
    `3. Next ${plain(outlook.horizonHours)} h from ${dateOf(outlook.start)} (${outlook.forks} forks, ${plain(outlook.forkMs)} ms per fork): remaining life, median [90% interval]`,
  ];
  for (const l of outlook.life) {
    const window =
      l.window === null
        ? 'no maintenance needed within the horizon'
        : `maintain by ${dateOf(outlook.start + l.window.to * 60)}`;
    lines.push(
      `   machine ${l.machine + 1}: ${l.q05.censored ? `${life(l.q05)} (95% of the forks run past the horizon)` : `${life(l.median)} [${life(l.q05)}, ${life(l.q95)}]`}, P(failure within ${plain(outlook.horizonHours)} h) ${percent(l.probability)}; ${window}`,
    );
  }
  const plan = maintenance.plan.map((o) => `machine ${o.machine + 1} at ${dateOf(o.at)}`);
  lines.push(
    `4. Maintenance (${settings.replications} replications, CRN, ${where}): ${plan.length > 0 ? `plan ${plan.join(', ')}` : `no machine at risk (P(failure) ≥ ${percent(maintenance.risk)})`}; run to failure − plan: cost ${said(maintenance.saving, cash)}, downtime per machine ${said(maintenance.downtimeSaved, hours)}`,
  );
  for (const c of crews) {
    const r = c.recommendation;
    lines.push(
      `5. Crews on the ${c.plant}${c.description ? ` (${c.description})` : ''}, ${plain(c.days)} days, ${settings.crewReplications} replications: mean cost [95% CI]; downtime % of time`,
    );
    for (const n of c.crews) {
      const o = c.comparison.scenarios[crewName(n)]!.outputs;
      const mark = n === r.crew ? '  <- recommended' : '';
      lines.push(
        `   ${crewName(n)}: ${interval(o.totalCost!.mean, o.totalCost!.lower, o.totalCost!.upper, cash)}; downtime ${percent(o.downtimeHours!.mean / (c.days * 24))}${mark}`,
      );
    }
    const noise = r.against.filter((a) => !a.significant).map((a) => a.scenario);
    lines.push(
      `   ${r.scenario}: ${r.meetsTarget ? `cheapest crew down at most ${percent(r.target)} of the time` : `cheapest crew (no crew meets the ${percent(r.target)} downtime target)`}${noise.length > 0 ? `; no detectable difference in cost against ${noise.join(', ')}` : ''}`,
    );
  }
  const [a, b] = plans.plans;
  lines.push(`6. Production plans over ${plain(plans.days)} days: ${a!.name} vs ${b!.name}`);
  for (const p of plans.plans) {
    const o = plans.comparison.scenarios[p.name]!.outputs;
    lines.push(
      `   ${p.name}: throughput ${interval(o.throughput!.mean, o.throughput!.lower, o.throughput!.upper)} parts/h, OEE ${interval(o.oee!.mean, o.oee!.lower, o.oee!.upper, percent)}`,
    );
  }
  lines.push(
    `   difference: throughput ${plans.throughput.significant ? `${said(plans.throughput, plain)} parts/h` : 'no detectable difference'}, OEE ${plans.oee.significant ? said(plans.oee, percentPoints) : 'no detectable difference'}`,
  );
  return lines;
}

if (
  isMainThread &&
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
