/**
 * `npm run factory`: the hybrid factory twin end to end.
 *
 * 1. runs the "physical plant" (hidden truth, seeded) and writes its telemetry (JSON Lines);
 * 2. runs the twin over that telemetry (createTwin over a fileSource) with an EKF per machine health;
 * 3. forks the synchronized twin to predict the next days;
 * 4. compares technician counts (common random numbers, worker threads);
 * 5. prints a summary and writes out/report.html.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { TwinkitError } from '@twinkit/core';
import { runLive } from './live/main';
import { parseOptions, USAGE } from './params';
import { createProgress, progressEnabled } from './progress';
import { startFactoryQueue } from './queue';
import { decisionText, recommendationText, renderReport } from './report';
import { predict, presentState, recommend, runPlant, synchronizeFile, telemetryJsonl, whatIf } from './twin';

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

  // 3 + 4. The what-if study runs on worker threads while this thread forks the twin.
  // The what-if starts from the synchronized twin's present state (health, machines down, parts
  // in the buffers, technicians on their jobs), each scenario with its own crew.
  const present = presentState(sync.twin);
  // With --redis the study runs on a BullMQ queue, on twinkit-worker processes.
  const queue =
    settings.redis === null || settings.redis === undefined
      ? undefined
      : await startFactoryQueue(
          settings.redis,
          settings.queue ?? 'twinkit-factory',
          settings.redisWorkers ?? 2,
        );
  let whatIfDone = 0;
  let forksDone = 0;
  const total = settings.scenarios.length * settings.replications;
  const show = () =>
    progress.update('3-4/4 forecasting and what-if', (forksDone / settings.forks + whatIfDone / total) / 2);
  const whatIfStarted = performance.now();
  const study = whatIf(
    params,
    settings,
    (done) => {
      whatIfDone = done;
      show();
    },
    present,
    queue?.executor,
  );
  const forkStarted = performance.now();
  const prediction = await predict(sync.twin, {
    ...settings,
    onProgress: (k) => {
      forksDone = k;
      show();
    },
  });
  timings.forecast = performance.now() - forkStarted;
  const comparison = await study.finally(() => queue?.close());
  const recommendation = recommend(comparison);
  timings['what-if'] = performance.now() - whatIfStarted;
  mark = performance.now();

  // 5. Report.
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
    forecasts: prediction.forecasts,
    whatIf: comparison,
    recommendation,
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
  lines.push(decisionText(recommendation, params, settings.whatIfDays));
  lines.push('');
  lines.push(
    `Hybrid factory twin: ${params.machines} machines, ${params.technicians} technicians, seed ${settings.seed}`,
  );
  lines.push('');
  lines.push(
    `1. Plant: ${settings.days} days, ${plant.kpis.failures} failures, ${plant.readings.length} telemetry lines -> ${telemetryPath}`,
  );
  lines.push(`   initial health (hidden): ${plant.initialHealth.map((h) => h.toFixed(1)).join(', ')}`);
  lines.push(
    `2. Twin synchronized with ${sync.stats.readings.received} readings (createTwin over the file): ${sync.counts.used} used; skipped: ${sync.counts.uncertain} flagged uncertain, ${sync.counts.whileDown} taken while the twin's machine was down; state reports: ${sync.counts.failureReports} failures, ${sync.counts.otherStateReports} others`,
  );
  lines.push(
    `   estimate within its ±2 sd band ${(100 * within).toFixed(1)}% of the time (about 95% expected); RMSE ${rmse.toFixed(3)} health points`,
  );
  lines.push(
    `   health now: ${sync.final.map((f, i) => `M${i + 1} ${f.estimate.toFixed(1)}±${(2 * f.sd).toFixed(1)}`).join(', ')}`,
  );
  lines.push(
    `3. Next ${settings.horizonDays} days (${settings.forks} forks, ${prediction.forkMs.toFixed(0)} ms per fork):`,
  );
  for (const f of prediction.forecasts) {
    const when = f.firstFailureHours
      ? `first failure in ${f.firstFailureHours[1].toFixed(0)} h (90%: ${f.firstFailureHours[0].toFixed(0)}-${f.firstFailureHours[2].toFixed(0)} h)`
      : 'no failure expected';
    lines.push(
      `   machine ${f.machine + 1}: failures ${f.failures.mean.toFixed(2)} [${f.failures.lower.toFixed(2)}, ${f.failures.upper.toFixed(2)}], P(fail) ${(100 * f.probability).toFixed(0)}%, ${when}`,
    );
  }
  lines.push(
    `4. What-if, ${settings.whatIfDays} days x ${settings.replications} replications (CRN, ${settings.redis ? `BullMQ queue '${settings.queue}' at ${settings.redis}` : `${settings.workers} workers`}): mean [95% CI]`,
  );
  const kpiNames: [string, string, number][] = [
    ['downtimeHours', 'downtime h/machine', 3],
    ['availability', 'availability', 5],
    ['throughput', 'throughput/h', 4],
    ['oee', 'OEE', 4],
    ['failures', 'failures', 3],
    ['technicianUtilization', 'technician util.', 3],
    ['totalCost', 'cost', 4],
  ];
  for (const [name, run] of Object.entries(comparison.scenarios)) {
    const cells = kpiNames.map(([k, label, d]) => {
      const o = run.outputs[k]!;
      const f = (v: number) => (k === 'totalCost' ? Math.round(v).toLocaleString('en-US') : v.toPrecision(d));
      return `${label} ${f(o.mean)} [${f(o.lower)}, ${f(o.upper)}]`;
    });
    const uptime = run.outputs.uptimeHours!.values.reduce((a, b) => a + b, 0);
    const failed = run.outputs.failures!.values.reduce((a, b) => a + b, 0);
    const mtbf = failed > 0 ? `${(uptime / failed).toFixed(0)} h` : 'no failures';
    lines.push(`   ${name}: ${cells.join('; ')}; MTBF (pooled) ${mtbf}`);
  }
  const downtime = comparison.outputs.downtimeHours!;
  for (const c of downtime.comparisons) {
    const minutes = (h: number) => (60 * h).toFixed(2);
    lines.push(
      `   downtime per machine, ${c.first} − ${c.second}: [${minutes(c.lower)}, ${minutes(c.upper)}] min (paired, CRN)`,
    );
  }
  lines.push(`   ${recommendationText(recommendation, params, settings.whatIfDays)}`);
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
      {
        settings,
        params,
        plant: { initialHealth: plant.initialHealth, kpis: plant.kpis },
        sync: { counts: sync.counts, withinBand: within, rmse, final: sync.final },
        forecasts: prediction.forecasts,
        recommendation,
        whatIf: Object.fromEntries(
          Object.entries(comparison.scenarios).map(([k, r]) => [
            k,
            Object.fromEntries(
              Object.entries(r.outputs).map(([o, s]) => [
                o,
                { mean: s.mean, lower: s.lower, upper: s.upper },
              ]),
            ),
          ]),
        ),
        timings,
      },
      null,
      2,
    ),
  );
  return 0;
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
