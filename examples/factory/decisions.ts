/**
 * The decisions the factory twin supports (design document 3.7), each from the synchronized twin's
 * present state with common random numbers:
 *
 * 1. predictive maintenance: every machine's remaining time to failure with an interval, a
 *    recommended maintenance window, and "run to failure" against "maintain the machines at risk
 *    in the next window" on downtime and cost;
 * 2. resource allocation: crew sizes over a range where the answer changes, on the plant as it is
 *    and on a stressed plant, and the cheapest crew whose downtime meets a target;
 * 3. production planning: two load plans over a week, throughput and OEE with intervals.
 */
import type { Simulation, SimulationSnapshot } from '@twinkit/core';
import {
  compareScenarios,
  type ReplicationExecutor,
  type ScenarioComparisonResults,
} from '@twinkit/estimation';
import { invalidArgument } from '../support/invalid-argument';
import { type Factory, type FactorySnapshot, factory, type StopRecord } from './model';
import { type FactoryParams, meanProcessingTime, processingTimeOf, type RunSettings } from './params';

/** A quantile of a time to failure that may lie beyond the forecast's horizon. */
export interface LifeQuantile {
  /** Hours from now; with `censored`, the horizon (the quantile is more than this). */
  hours: number;
  /** True when the quantile lies beyond the horizon: `hours` is then a lower bound. */
  censored: boolean;
}

/** One machine's predicted remaining life, from the forecast's forks. */
export interface RemainingLife {
  machine: number;
  /** 5%, 50% and 95% quantiles of the time to the next failure over all forks. */
  q05: LifeQuantile;
  median: LifeQuantile;
  q95: LifeQuantile;
  /** Fraction of forks in which the machine fails within the horizon. */
  probability: number;
  /**
   * When to maintain it, hours from now: from now until the 5% quantile of its failure time (95% of
   * the forks still run then); null when that quantile is beyond the horizon.
   */
  window: { from: number; to: number } | null;
}

/** Quantiles of one machine's health over the forecast's forks, hour by hour. */
export interface HealthFan {
  machine: number;
  /** Hours from now: 0, 1, ..., horizon. */
  hours: number[];
  q05: number[];
  q25: number[];
  median: number[];
  q75: number[];
  q95: number[];
}

/** A span of one machine's state (simulated minutes, absolute: add to `EPOCH` for dates). */
export interface StateSpan {
  machine: number;
  from: number;
  to: number;
  /** up (running or idle); waiting for a technician; under repair after a failure; under planned maintenance. */
  state: 'up' | 'waiting' | 'repair' | 'maintenance';
}

/** The forecast from the synchronized twin's present. */
export interface Forecast {
  /** The present, simulated minutes. */
  start: number;
  horizonHours: number;
  forks: number;
  /** Mean milliseconds to make one fork. */
  forkMs: number;
  life: RemainingLife[];
  fan: HealthFan[];
  /** Machine states in one of the forks (fork 1): a possible course of the horizon. */
  gantt: StateSpan[];
}

/** A paired difference between two scenarios (first − second) on one output. */
export interface Difference {
  first: string;
  second: string;
  mean: number;
  lower: number;
  upper: number;
  /** The interval excludes zero. */
  significant: boolean;
  /** The difference is the same in every replication (the interval has no width). */
  degenerate: boolean;
}

/** Predictive maintenance: run to failure against maintaining the machines at risk. */
export interface MaintenanceStudy {
  /** Machines at risk: failure within the horizon in at least `risk` of the forks. */
  risk: number;
  /** The planned maintenance orders (machine index, simulated minute). */
  plan: { machine: number; at: number }[];
  /** Scenarios `run to failure` and `maintain at-risk machines`, over the forecast horizon. */
  comparison: ScenarioComparisonResults;
  /** Cost of running to failure minus cost with the plan (positive: the plan saves). */
  saving: Difference;
  /** Downtime hours per machine of running to failure minus with the plan. */
  downtimeSaved: Difference;
}

/** The crew a crew study recommends. */
export interface CrewRecommendation {
  /** Recommended technicians. */
  crew: number;
  /** Its scenario name (`2 technicians`). */
  scenario: string;
  /** The downtime target: the largest fraction of time a machine may be down. */
  target: number;
  /** Whether the recommended crew meets it (when no crew does, the cheapest crew is named). */
  meetsTarget: boolean;
  /** Its mean downtime as a fraction of time. */
  downtimeFraction: number;
  /** Its mean total cost over the study. */
  totalCost: number;
  /** Per other crew: its cost minus the recommended crew's, paired. */
  against: (Difference & { scenario: string })[];
}

/** Resource allocation on one plant: crew sizes compared. */
export interface CrewStudy {
  /** `plant as is` or `stressed plant`. */
  plant: string;
  /** What differs from the plant as is, in words (empty for the plant as is). */
  description: string;
  crews: number[];
  days: number;
  comparison: ScenarioComparisonResults;
  recommendation: CrewRecommendation;
}

/** Production planning: load plans compared over a week. */
export interface PlanStudy {
  plans: { name: string; arrivalMean: number }[];
  days: number;
  comparison: ScenarioComparisonResults;
  /** Throughput (parts/h) and OEE of the second plan minus the first, paired. */
  throughput: Difference;
  oee: Difference;
}

/** Everything the decision studies produced. */
export interface Decisions {
  forecast: Forecast;
  maintenance: MaintenanceStudy;
  crews: CrewStudy[];
  plans: PlanStudy;
}

/** Minutes between shift starts (06:00, 14:00, 22:00 from the epoch at 06:00): maintenance windows open then. */
export const SHIFT_MINUTES = 480;

function quantile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function lifeQuantile(sorted: readonly number[], p: number, horizonHours: number): LifeQuantile {
  const v = quantile(sorted, p);
  return Number.isFinite(v) ? { hours: v, censored: false } : { hours: horizonHours, censored: true };
}

/**
 * The remaining life of one machine from its times to the next failure over the forks (hours from
 * now, `Infinity` for a fork in which it does not fail within the horizon): quantiles with
 * censoring (a quantile that falls on a fork without a failure is "more than the horizon") and the
 * maintenance window up to the 5% quantile.
 */
export function remainingLife(
  machine: number,
  times: readonly number[],
  horizonHours: number,
): RemainingLife {
  if (times.length === 0)
    throw invalidArgument('remainingLife(machine, times)', 'times must hold one time per fork', times.length);
  const sorted = [...times].sort((a, b) => a - b);
  const q05 = lifeQuantile(sorted, 0.05, horizonHours);
  return {
    machine,
    q05,
    median: lifeQuantile(sorted, 0.5, horizonHours),
    q95: lifeQuantile(sorted, 0.95, horizonHours),
    probability: sorted.filter(Number.isFinite).length / sorted.length,
    window: q05.censored ? null : { from: 0, to: q05.hours },
  };
}

/** The spans of the machines' states from `from` to `to` (simulated minutes), from their stop records. */
export function stateSpans(
  machines: readonly { stops: readonly StopRecord[] }[],
  from: number,
  to: number,
): StateSpan[] {
  const spans: StateSpan[] = [];
  machines.forEach((m, machine) => {
    let t = from;
    const push = (state: StateSpan['state'], a: number, b: number) => {
      const lo = Math.max(a, from);
      const hi = Math.min(b, to);
      if (hi > lo) spans.push({ machine, from: lo, to: hi, state });
    };
    for (const s of m.stops) {
      const end = s.end ?? to;
      if (end <= from || s.at >= to) continue;
      push('up', t, s.at);
      const service = s.serviceAt ?? end;
      push('waiting', s.at, service);
      push(s.cause === 'failure' ? 'repair' : 'maintenance', service, end);
      t = end;
    }
    push('up', t, to);
  });
  return spans;
}

/**
 * Forks the synchronized twin `forks` times (replications 1..forks: the futures differ), starts
 * each from a draw of the estimated health (with `health`), switches it to failures from its own
 * health and runs it `horizonDays` ahead an hour at a time:
 * every machine's health each hour (the fan), its time to the next failure (the remaining life)
 * and, from fork 1, the machines' states (the Gantt chart). It yields to the event loop between
 * forks, so worker threads started meanwhile stay fed.
 */
export async function forecast(
  twin: Simulation<Factory>,
  options: {
    forks: number;
    horizonDays: number;
    /**
     * The filters' estimate of each machine's health (mean, sd): each fork starts its running
     * machines from a draw of it, so the forecast carries the estimate's uncertainty as well as the
     * future's. Without it, every fork starts from the twin's health as it is.
     */
    health?: readonly { estimate: number; sd: number }[];
    onProgress?: (done: number) => void;
  },
): Promise<Forecast> {
  const n = twin.model.machines.length;
  const start = twin.now;
  const horizonHours = Math.round(options.horizonDays * 24);
  const health: number[][][] = Array.from({ length: n }, () =>
    Array.from({ length: horizonHours + 1 }, () => [] as number[]),
  );
  const times: number[][] = Array.from({ length: n }, () => []);
  let gantt: StateSpan[] = [];
  let forkMs = 0;
  for (let k = 1; k <= options.forks; k++) {
    const t0 = performance.now();
    const fork = twin.fork({ replication: k });
    forkMs += performance.now() - t0;
    const machines = fork.model.machines;
    if (options.health !== undefined) {
      const draw = fork.rng('forecast/health');
      machines.forEach((m, i) => {
        const h = options.health![i];
        // A draw at or below the threshold fails the machine at once (below): that fork's machine
        // had already failed, which the estimate allows.
        if (!m.down && h !== undefined && h.sd > 0)
          fork.state.set(m.healthName, draw.normal(h.estimate, h.sd));
      });
    }
    fork.input('failure-source', 'health');
    const before = machines.map((m) => m.failures);
    for (let h = 0; h <= horizonHours; h++) {
      if (h > 0) fork.run({ until: start + h * 60 });
      machines.forEach((m, i) => {
        health[i]![h]!.push(m.health);
      });
    }
    machines.forEach((m, i) => {
      const next = m.failureTimes[before[i]!];
      times[i]!.push(next === undefined ? Number.POSITIVE_INFINITY : (next - start) / 60);
    });
    if (k === 1) gantt = stateSpans(machines, start, start + horizonHours * 60);
    options.onProgress?.(k);
    await new Promise<void>((done) => setImmediate(done));
  }
  const fan = health.map((perHour, machine): HealthFan => {
    const sorted = perHour.map((v) => [...v].sort((a, b) => a - b));
    const q = (p: number) => sorted.map((v) => quantile(v, p));
    return {
      machine,
      hours: perHour.map((_, h) => h),
      q05: q(0.05),
      q25: q(0.25),
      median: q(0.5),
      q75: q(0.75),
      q95: q(0.95),
    };
  });
  return {
    start,
    horizonHours,
    forks: options.forks,
    forkMs: forkMs / options.forks,
    life: times.map((t, i) => remainingLife(i, t, horizonHours)),
    fan,
    gantt,
  };
}

/**
 * The paired difference `first − second` of one output of a comparison (the comparison may hold
 * the pair either way round).
 */
export function difference(
  comparison: ScenarioComparisonResults,
  output: string,
  first: string,
  second: string,
): Difference {
  const api = 'difference(comparison, output, first, second)';
  const o = comparison.outputs[output];
  if (o === undefined)
    throw invalidArgument(
      api,
      'output must be one the study measured',
      output,
      Object.keys(comparison.outputs).join(', '),
    );
  const c = o.comparisons.find(
    (x) => (x.first === first && x.second === second) || (x.first === second && x.second === first),
  );
  if (c === undefined)
    throw invalidArgument(api, 'first and second must be two scenarios of the study', [first, second]);
  const flip = c.first !== first;
  const mean = (c.method === 'paired' ? c.mean : c.difference) * (flip ? -1 : 1);
  const [lower, upper] = flip ? [-c.upper, -c.lower] : [c.lower, c.upper];
  // Width below a billionth of the output's size: the same difference in every replication (common
  // random numbers, e.g. a labour bill), up to the rounding of sums.
  const scale = Math.max(
    1e-300,
    ...Object.values(comparison.scenarios).map((r) => Math.abs(r.outputs[output]?.mean ?? 0)),
  );
  const degenerate = upper - lower <= 1e-9 * scale;
  const clean = (v: number) => (Math.abs(v) <= 1e-9 * scale ? 0 : v);
  return {
    first,
    second,
    mean: clean(mean),
    lower: clean(lower),
    upper: clean(upper),
    significant: degenerate ? clean(mean) !== 0 : lower > 0 || upper < 0,
    degenerate,
  };
}

/** What a decision study needs to run: the twin's present, the run's settings, optionally a queue. */
export interface StudyContext {
  params: FactoryParams;
  settings: Pick<
    RunSettings,
    | 'replications'
    | 'crewReplications'
    | 'whatIfDays'
    | 'horizonDays'
    | 'workers'
    | 'scenarios'
    | 'downtimeTarget'
    | 'stressWearFactor'
    | 'stressRepairMean'
    | 'maintainRisk'
    | 'planLoad'
  >;
  /** The synchronized twin's present ({@link presentState}). */
  present: SimulationSnapshot;
  /** Run the replications on these workers (a `bullmqExecutor`) instead of threads. */
  executor?: ReplicationExecutor;
  /** Replications done so far, of this study's total. */
  onProgress?: (done: number, total: number) => void;
}

/** Runs scenarios of the factory from the present for `days`, every KPI an output. */
function runScenarios(
  ctx: StudyContext,
  scenarios: Record<string, FactoryParams>,
  days: number,
  replications = ctx.settings.replications,
): Promise<ScenarioComparisonResults> {
  const names = Object.keys(scenarios);
  const total = names.length * replications;
  return compareScenarios(factory, {
    scenarios,
    replications,
    from: ctx.present,
    until: ctx.present.time + days * 1440,
    ...(ctx.executor === undefined ? { workers: ctx.settings.workers } : { executor: ctx.executor }),
    outputs: (sim) => ({ ...sim.model.kpis() }),
    onProgress: (p) => ctx.onProgress?.(names.indexOf(p.scenario) * replications + p.completed, total),
  });
}

/** A scenario's parameters: the plant's, failures from health, nothing recorded. */
function scenarioParams(params: FactoryParams, change: Partial<FactoryParams> = {}): FactoryParams {
  const { initialHealth: _, maintenancePlan: __, ...rest } = params;
  return { ...rest, ...change, record: false, failures: 'health' };
}

/** The next maintenance window's start (the next shift start) at or after `now`, simulated minutes. */
export function nextWindow(now: number): number {
  return Math.ceil(now / SHIFT_MINUTES) * SHIFT_MINUTES;
}

/**
 * Predictive maintenance: the machines at risk (failing within the horizon in at least
 * `maintainRisk` of the forecast's forks) are maintained at the start of the next window, or now
 * when their 5% failure quantile comes first; "run to failure" and the plan are compared over the
 * forecast horizon from the present, with common random numbers.
 */
export async function maintenanceStudy(ctx: StudyContext, outlook: Forecast): Promise<MaintenanceStudy> {
  const now = ctx.present.time;
  const window = nextWindow(now);
  const risk = ctx.settings.maintainRisk;
  const plan = outlook.life
    .filter((l) => l.probability >= risk)
    .map((l) => ({
      machine: l.machine,
      at: l.window !== null && now + l.window.to * 60 < window ? now : window,
    }));
  const names = ['run to failure', 'maintain at-risk machines'] as const;
  const comparison = await runScenarios(
    ctx,
    {
      [names[0]]: scenarioParams(ctx.params),
      [names[1]]: scenarioParams(ctx.params, { maintenancePlan: plan }),
    },
    outlook.horizonHours / 24,
  );
  return {
    risk,
    plan,
    comparison,
    saving: difference(comparison, 'totalCost', names[0], names[1]),
    downtimeSaved: difference(comparison, 'downtimeHours', names[0], names[1]),
  };
}

/** The scenario name of a crew of `n` technicians. */
export function crewName(n: number): string {
  return `${n} technician${n === 1 ? '' : 's'}`;
}

/** Technicians busy at the present (a smaller crew cannot be restored from it). */
export function busyTechnicians(present: SimulationSnapshot): number {
  const saved = present.state as FactorySnapshot;
  return saved.technicians.filter((t) => t.phase !== 'wait' || t.pending !== null).length;
}

/**
 * The crew a study recommends: the cheapest crew whose mean downtime meets `target` (a fraction of
 * time); when none does, the cheapest crew, marked as missing the target.
 */
export function recommendCrew(
  comparison: ScenarioComparisonResults,
  crews: readonly number[],
  days: number,
  target: number,
): CrewRecommendation {
  const rows = crews.map((crew) => {
    const o = comparison.scenarios[crewName(crew)]!.outputs;
    return { crew, cost: o.totalCost!.mean, down: o.downtimeHours!.mean / (days * 24) };
  });
  const cheapest = (list: typeof rows) => list.reduce((a, b) => (b.cost < a.cost ? b : a));
  const meeting = rows.filter((r) => r.down <= target);
  const pick = cheapest(meeting.length > 0 ? meeting : rows);
  const scenario = crewName(pick.crew);
  return {
    crew: pick.crew,
    scenario,
    target,
    meetsTarget: meeting.length > 0,
    downtimeFraction: pick.down,
    totalCost: pick.cost,
    against: rows
      .filter((r) => r.crew !== pick.crew)
      .map((r) => ({
        scenario: crewName(r.crew),
        ...difference(comparison, 'totalCost', crewName(r.crew), scenario),
      })),
  };
}

/**
 * Resource allocation: the crews of `scenarios` (those at least as large as the technicians busy
 * now) from the present for `whatIfDays`, on the plant as it is and on a stressed plant (wear
 * `stressWearFactor` times faster, repairs of `stressRepairMean` minutes), each with the cheapest
 * crew whose downtime meets `downtimeTarget`.
 */
export async function crewStudies(ctx: StudyContext): Promise<CrewStudy[]> {
  const { settings, params } = ctx;
  const busy = busyTechnicians(ctx.present);
  const crews = [...settings.scenarios].filter((n) => n >= busy).sort((a, b) => a - b);
  if (crews.length < 2)
    throw invalidArgument(
      'crewStudies(ctx)',
      `settings.scenarios must hold at least two crews of ${busy} or more technicians (busy now)`,
      settings.scenarios,
      'Compare larger crews (--scenarios).',
    );
  const k = settings.stressWearFactor;
  const stressed: Partial<FactoryParams> = {
    busyWearRate: params.busyWearRate * k,
    idleWearRate: params.idleWearRate * k,
    repairMean: settings.stressRepairMean,
    repairSd: settings.stressRepairMean / 4,
  };
  const plants = [
    { plant: 'plant as is', description: '', change: {} },
    {
      plant: 'stressed plant',
      description: `wear ${k}× faster (a machine fails every ${(mttfHours(params) / k).toFixed(0)} h instead of every ${mttfHours(params).toFixed(0)} h) and repairs of ${(settings.stressRepairMean / 60).toFixed(1)} h instead of ${(params.repairMean / 60).toFixed(2)} h`,
      change: stressed,
    },
  ];
  const days = settings.whatIfDays;
  const studies: CrewStudy[] = [];
  for (const p of plants) {
    const scenarios = Object.fromEntries(
      crews.map((n) => [crewName(n), scenarioParams(params, { ...p.change, technicians: n })]),
    );
    const comparison = await runScenarios(ctx, scenarios, days, settings.crewReplications);
    studies.push({
      plant: p.plant,
      description: p.description,
      crews,
      days,
      comparison,
      recommendation: recommendCrew(comparison, crews, days, settings.downtimeTarget),
    });
  }
  return studies;
}

/** Mean hours from a repair to the next failure at the plant's load (busy fraction from the line). */
export function mttfHours(params: FactoryParams): number {
  const busy = Math.min(1, meanProcessingTime(processingTimeOf(params, 0)) / params.arrivalMean);
  const wear = params.busyWearRate * busy + params.idleWearRate * (1 - busy);
  return (100 - params.failureThreshold) / wear / 60;
}

/**
 * Production planning: the current order intake against `planLoad` times as many parts, over the
 * forecast horizon from the present: throughput and OEE with paired intervals.
 */
export async function planStudy(ctx: StudyContext): Promise<PlanStudy> {
  const { params, settings } = ctx;
  const load = settings.planLoad;
  const more = `${load >= 1 ? '+' : '−'}${Math.abs(Math.round((load - 1) * 100))}% orders`;
  const plans = [
    {
      name: `current orders (a part every ${params.arrivalMean.toFixed(1)} min)`,
      arrivalMean: params.arrivalMean,
    },
    {
      name: `${more} (a part every ${(params.arrivalMean / load).toFixed(1)} min)`,
      arrivalMean: params.arrivalMean / load,
    },
  ];
  const days = settings.horizonDays;
  const comparison = await runScenarios(
    ctx,
    Object.fromEntries(plans.map((p) => [p.name, scenarioParams(params, { arrivalMean: p.arrivalMean })])),
    days,
  );
  return {
    plans,
    days,
    comparison,
    throughput: difference(comparison, 'throughput', plans[1]!.name, plans[0]!.name),
    oee: difference(comparison, 'oee', plans[1]!.name, plans[0]!.name),
  };
}
