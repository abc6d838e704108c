/**
 * A small but realistic report for the report's tests, built by hand: three machines, 14 days of
 * telemetry, a forecast with a censored remaining life, a maintenance study whose downtime saving
 * is noise, a crew study on the plant as is (the crews from two on see the same downtime, so their
 * cost differences are the labour bill: the same in every replication) and a stressed one whose
 * cost curve has an interior minimum, and two production plans. The studies' statistics are those
 * of the estimation package over made-up replications.
 */
import { confidenceInterval, pairwiseComparisons, type ScenarioComparisonResults } from '@twinkit/estimation';
import {
  type CrewStudy,
  crewName,
  type Decisions,
  difference,
  type Forecast,
  type HealthFan,
  nextWindow,
  recommendCrew,
  remainingLife,
  type StateSpan,
} from '../decisions';
import type { WalkRecord } from '../model';
import { DEFAULT_SETTINGS, DEFAULTS, type FactoryParams, type RunSettings } from '../params';
import type { ReportData, ReportReading } from '../report';
import { temperatureOf, vibrationOf } from '../sensors';
import type { EstimatePoint } from '../twin';

/** A seeded uniform generator (mulberry32), so the fixture is the same every time. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** The study's KPIs of one replication, from its downtime, failures, maintenances and throughput. */
function kpis(
  params: FactoryParams,
  run: {
    days: number;
    crew: number;
    downtime: number;
    failures: number;
    maintenances: number;
    throughput: number;
  },
): Record<string, number> {
  const span = run.days * 24;
  const laborCost = run.crew * span * params.technicianCost;
  const downtimeCost = run.downtime * params.machines * params.downtimeCost;
  const failureCost = run.failures * params.failureCost;
  const oee = (run.throughput * 8) / 60;
  return {
    throughput: run.throughput,
    utilization: oee,
    downtimeHours: run.downtime,
    availability: 1 - run.downtime / span,
    failures: run.failures,
    uptimeHours: params.machines * (span - run.downtime),
    oee,
    technicianUtilization: (run.failures + 0.5 * run.maintenances) / (run.crew * span),
    laborCost,
    downtimeCost,
    maintenances: run.maintenances,
    failureCost,
    totalCost: laborCost + downtimeCost + failureCost,
  };
}

/** The comparison compareScenarios would return for these replications (paired, CRN). */
function comparisonOf(runs: Record<string, Record<string, number>[]>): ScenarioComparisonResults {
  const names = Object.keys(runs);
  const outputs = Object.keys(runs[names[0]!]![0]!);
  const values = (s: string, o: string) => runs[s]!.map((r) => r[o]!);
  return {
    commonRandomNumbers: true,
    scenarios: Object.fromEntries(
      names.map((s) => [
        s,
        {
          replications: runs[s]!.length,
          seed: 2026,
          stoppedBy: 'replications' as const,
          outputs: Object.fromEntries(
            outputs.map((o) => [o, { ...confidenceInterval(values(s, o)), values: values(s, o) }]),
          ),
        },
      ]),
    ),
    outputs: Object.fromEntries(
      outputs.map((o) => [
        o,
        {
          ...pairwiseComparisons(Object.fromEntries(names.map((s) => [s, values(s, o)])), { paired: true }),
          varianceReduction: {},
        },
      ]),
    ),
  };
}

const REPLICATIONS = 20;
const START = 14 * 1440 + 100; // Mon 19 Jan 2026 07:40 UTC
const HORIZON = 168;

function forecastOf(u: () => number): Forecast {
  const forks = 40;
  // Machine 1 fails in every fork, machine 2 in 30% of them, machine 3 in none.
  const times = [
    Array.from({ length: forks }, (_, k) => 18 + 3 * k + 2 * u()),
    Array.from({ length: forks }, (_, k) => (k < 12 ? 60 + 8 * k : Number.POSITIVE_INFINITY)),
    Array.from({ length: forks }, () => Number.POSITIVE_INFINITY),
  ];
  const fan = [
    { h0: 58, rate: 0.12 },
    { h0: 78, rate: 0.13 },
    { h0: 94, rate: 0.01 },
  ].map(({ h0, rate }, machine): HealthFan => {
    const hours = Array.from({ length: HORIZON + 1 }, (_, h) => h);
    const at = (z: number) => hours.map((h) => h0 - rate * h + z * 0.6 * Math.sqrt(h));
    return { machine, hours, q05: at(-1.64), q25: at(-0.67), median: at(0), q75: at(0.67), q95: at(1.64) };
  });
  const end = START + HORIZON * 60;
  const window = nextWindow(START);
  const failure = START + 120 * 60;
  const gantt: StateSpan[] = [
    { machine: 0, from: START, to: window, state: 'up' },
    { machine: 0, from: window, to: window + 30, state: 'maintenance' },
    { machine: 0, from: window + 30, to: end, state: 'up' },
    { machine: 1, from: START, to: failure, state: 'up' },
    { machine: 1, from: failure, to: failure + 10, state: 'waiting' },
    { machine: 1, from: failure + 10, to: failure + 55, state: 'repair' },
    { machine: 1, from: failure + 55, to: end, state: 'up' },
    { machine: 2, from: START, to: end, state: 'up' },
  ];
  return {
    start: START,
    horizonHours: HORIZON,
    forks,
    forkMs: 3.2,
    life: times.map((t, i) => remainingLife(i, t, HORIZON)),
    fan,
    gantt,
  };
}

function crewStudy(
  params: FactoryParams,
  plant: string,
  description: string,
  downtime: (crew: number, z: number, u: () => number) => number,
  failures: number,
  seed: number,
): CrewStudy {
  const crews = [1, 2, 3, 4, 5, 6];
  const days = 30;
  const u = uniform(seed);
  // Common random numbers: replication i of every crew sees the same luck (z, its failures).
  const luck = Array.from({ length: REPLICATIONS }, () => ({
    z: normal(u),
    failures: Math.round(failures * (1 + 0.15 * normal(u))),
  }));
  const comparison = comparisonOf(
    Object.fromEntries(
      crews.map((crew) => [
        crewName(crew),
        luck.map((l) =>
          kpis(params, {
            days,
            crew,
            downtime: downtime(crew, l.z, u),
            failures: l.failures,
            maintenances: 0,
            throughput: 5.95,
          }),
        ),
      ]),
    ),
  );
  return {
    plant,
    description,
    crews,
    days,
    comparison,
    recommendation: recommendCrew(comparison, crews, days, 0.02),
  };
}

/** The fixture's decision studies. */
export function fixtureDecisions(params: FactoryParams): Decisions {
  const u = uniform(7);
  const forecast = forecastOf(u);
  const plan = forecast.life
    .filter((l) => l.probability >= 0.5)
    .map((l) => ({ machine: l.machine, at: nextWindow(START) }));

  // Maintenance: machine 1 fails when run to failure; machine 2 may fail either way (CRN).
  const mRuns = Array.from({ length: REPLICATIONS }, () => ({
    m2: u() < 0.3 ? 1 : 0,
    repair: 0.55 + 0.3 * normal(u),
    service: 0.5 + 0.6 * normal(u),
    throughput: 5.9 + 0.1 * normal(u),
  }));
  const names = ['run to failure', 'maintain at-risk machines'];
  const maintenance = comparisonOf({
    [names[0]!]: mRuns.map((r) =>
      kpis(params, {
        days: 7,
        crew: params.technicians,
        downtime: ((1 + r.m2) * r.repair) / params.machines,
        failures: 1 + r.m2,
        maintenances: 0,
        throughput: r.throughput,
      }),
    ),
    [names[1]!]: mRuns.map((r) =>
      kpis(params, {
        days: 7,
        crew: params.technicians,
        downtime: (r.m2 * r.repair + r.service) / params.machines,
        failures: r.m2,
        maintenances: 1,
        throughput: r.throughput + 0.01,
      }),
    ),
  });

  const asIs = crewStudy(
    params,
    'plant as is',
    '',
    // One technician lets repairs queue; from two on nobody waits: the same downtime for all.
    (crew, z, v) => 2 + 0.4 * z + (crew === 1 ? 18 + 3 * normal(v) : 0),
    4.5,
    11,
  );
  const stressed = crewStudy(
    params,
    'stressed plant',
    'wear 20× faster (a machine fails every 24 h instead of every 480 h) and repairs of 4.0 h instead of 0.75 h',
    (crew, z, v) => [80, 40, 12, 10.5, 10.2, 10.1][crew - 1]! * (1 + 0.1 * z) + 0.3 * normal(v),
    90,
    13,
  );

  const plans = [
    { name: 'current orders (a part every 10.0 min)', arrivalMean: 10 },
    { name: '+15% orders (a part every 8.7 min)', arrivalMean: 10 / 1.15 },
  ];
  // Common luck (z) in both plans, and a little of each plan's own (e).
  const pRuns = Array.from({ length: REPLICATIONS }, () => ({ z: normal(u), e: [normal(u), normal(u)] }));
  const planComparison = comparisonOf(
    Object.fromEntries(
      plans.map((p, i) => [
        p.name,
        pRuns.map((r) =>
          kpis(params, {
            days: 7,
            crew: params.technicians,
            downtime: 0.9 + 0.1 * r.z + 0.15 * i,
            failures: 1 + i,
            maintenances: 0,
            throughput: 60 / p.arrivalMean + 0.1 * r.z + 0.03 * r.e[i]!,
          }),
        ),
      ]),
    ),
  );
  return {
    forecast,
    maintenance: {
      risk: 0.5,
      plan,
      comparison: maintenance,
      saving: difference(maintenance, 'totalCost', names[0]!, names[1]!),
      downtimeSaved: difference(maintenance, 'downtimeHours', names[0]!, names[1]!),
    },
    crews: [asIs, stressed],
    plans: {
      plans,
      days: 7,
      comparison: planComparison,
      throughput: difference(planComparison, 'throughput', plans[1]!.name, plans[0]!.name),
      oee: difference(planComparison, 'oee', plans[1]!.name, plans[0]!.name),
    },
  };
}

/** 14 days of the plant's readings and the twin's estimates of three machines. */
function history(initialHealth: number[]): { readings: ReportReading[]; estimates: EstimatePoint[] } {
  const u = uniform(3);
  const wear = [0.0017, 0.0017, 0.0003];
  // Machine 2 fails on day 5 and is repaired within the hour.
  const failAt = 5 * 1440;
  const health = (m: number, t: number) =>
    m === 1 && t >= failAt + 60 ? 100 - wear[m]! * (t - failAt - 60) : initialHealth[m]! - wear[m]! * t;
  const down = (m: number, t: number) => m === 1 && t >= failAt && t < failAt + 60;
  const readings: ReportReading[] = [];
  const estimates: EstimatePoint[] = [];
  for (let t = 5; t <= 14 * 1440; t += 5) {
    for (let m = 0; m < initialHealth.length; m++) {
      const h = health(m, t);
      const quality = down(m, t) ? 'uncertain' : 'good';
      readings.push({ t, machine: m, kind: 'vibration', value: vibrationOf(h) + 0.08 * normal(u), quality });
      if (t % 15 === 0)
        readings.push({
          t,
          machine: m,
          kind: 'temperature',
          value: temperatureOf(h) + 0.5 * normal(u),
          quality,
        });
      if (m === 1 && (t === failAt || t === failAt + 60))
        readings.push({ t, machine: m, kind: 'state', value: t === failAt ? 0 : 1, quality: 'good' });
      if (quality === 'good') {
        const sd = 1 + 6 / (1 + t / 120);
        estimates.push({ t, machine: m, estimate: h + sd * Math.sin(t / 700 + m), sd, truth: h });
      }
    }
  }
  return { readings, estimates };
}

/** The fixture's parameters: the defaults with three machines. */
export const FIXTURE_PARAMS: FactoryParams = { ...DEFAULTS, machines: 3 };

/** The fixture's run settings: the defaults. */
export const FIXTURE_SETTINGS: RunSettings = { ...DEFAULT_SETTINGS };

/** Everything the report shows, for the fixture. */
export function reportFixture(): ReportData {
  const params = FIXTURE_PARAMS;
  const initialHealth = [92, 65, 98];
  const { readings, estimates } = history(initialHealth);
  const walks: WalkRecord[] = [
    {
      technician: 0,
      kind: 'to-job',
      start: 7200,
      cells: [
        [5, 12],
        [6, 12],
        [7, 12],
        [8, 12],
        [8, 11],
        [8, 10],
      ],
    },
    {
      technician: 0,
      kind: 'return',
      start: 7260,
      cells: [
        [8, 10],
        [8, 11],
        [8, 12],
        [7, 12],
        [6, 12],
        [5, 12],
      ],
    },
  ];
  return {
    params,
    settings: FIXTURE_SETTINGS,
    initialHealth,
    plantFailures: 1,
    estimates,
    withinBand: 0.953,
    rmse: 1.12,
    syncCounts: {
      used: estimates.length,
      uncertain: readings.filter((r) => r.quality === 'uncertain').length,
      whileDown: 0,
      failureReports: 1,
      otherStateReports: 1,
    },
    decisions: fixtureDecisions(params),
    telemetry: readings,
    walks,
    timings: { plant: 900, synchronization: 4200, forecast: 3100, 'what-if': 51_000 },
    telemetryLines: readings.length,
  };
}
