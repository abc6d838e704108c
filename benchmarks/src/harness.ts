/**
 * The benchmark harness. Every figure is reported as a ratio against a reference measured in the
 * same process (a hand-written loop or a peer library), because these machines are shared and
 * absolute times drift. Cases never assert on speed: they measure and report.
 */
import { performance } from 'node:perf_hooks';

/** One line of `benchmarks/results/latest.json`. */
export interface BenchResult {
  suite: string;
  case: string;
  metric: string;
  value: number;
  unit: string;
  reference: { name: string; value: number } | null;
  /** value / reference.value (higher is better for rates), or null without a reference. */
  ratio: number | null;
  /** Optional goal for the ratio (e.g. 0.7 means "at least 0.7x the reference"). */
  goal?: number;
  note?: string;
  /**
   * The same figure by wall-clock time, beside the CPU-time one (`value`, `ratio`), where the case
   * measured both: on a shared machine the two differ by the time spent descheduled.
   */
  wall?: { value: number; reference: number | null; ratio: number | null };
}

/** What a case receives: `quick` asks for a small run (CI smoke). */
export interface BenchContext {
  quick: boolean;
}

/** A benchmark case: measures something and returns its result lines. */
export interface BenchCase {
  suite: string;
  name: string;
  run(ctx: BenchContext): BenchResult[] | Promise<BenchResult[]>;
}

/** CPU time (user + system) of this process, in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Times `fn` once and returns elapsed seconds. */
export function timeOnce(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

/** Rates (units per second) of each contender, by CPU time and by wall-clock time: medians of rounds. */
export interface MeasuredRates {
  cpu: Record<string, number>;
  wall: Record<string, number>;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/**
 * Measures the rate (units per second) of each contender, where one call of `fn` performs `work` units
 * (events, customers, updates), by both clocks: the CPU time of this process (`process.cpuUsage`,
 * time spent descheduled by other work on a shared machine is not ours) and wall-clock time. Contenders
 * are measured in alternation, round after round; each round repeats `fn` until at least `minMs` have
 * passed on the chosen clock, and the median round of each counts. Alternating cancels most of the
 * drift of a shared machine, the median discards the rounds an outside burst spoiled; the warm-up rounds
 * let the JIT settle first.
 */
export function measureRates(
  contenders: Record<string, { work: number; fn: () => unknown }>,
  options: { rounds?: number; warmup?: number; minMs?: number; clock?: 'cpu' | 'wall' } = {},
): MeasuredRates {
  const rounds = options.rounds ?? 5;
  const warmup = options.warmup ?? 2;
  const minMs = options.minMs ?? 200;
  const byWall = options.clock === 'wall';
  const cpuRounds: Record<string, number[]> = {};
  const wallRounds: Record<string, number[]> = {};
  const names = Object.keys(contenders);
  for (const name of names) {
    cpuRounds[name] = [];
    wallRounds[name] = [];
  }
  for (let r = 0; r < warmup + rounds; r++) {
    for (const name of names) {
      const c = contenders[name]!;
      let calls = 0;
      const c0 = cpuMs();
      const w0 = performance.now();
      let cpu = 0;
      let wall = 0;
      do {
        c.fn();
        calls++;
        cpu = cpuMs() - c0;
        wall = performance.now() - w0;
      } while ((byWall ? wall : cpu) < minMs);
      if (r < warmup) continue;
      cpuRounds[name]!.push((c.work * calls) / (cpu / 1000));
      wallRounds[name]!.push((c.work * calls) / (wall / 1000));
    }
  }
  const cpu: Record<string, number> = {};
  const wall: Record<string, number> = {};
  for (const name of names) {
    cpu[name] = median(cpuRounds[name]!);
    wall[name] = median(wallRounds[name]!);
  }
  return { cpu, wall };
}

/**
 * {@link measureRates} reduced to one clock: CPU time by default; use 'wall' for anything that runs on
 * other threads (worker pools). Returns the median rate of each contender.
 */
export function compareRates(
  contenders: Record<string, { work: number; fn: () => unknown }>,
  options: { rounds?: number; warmup?: number; minMs?: number; clock?: 'cpu' | 'wall' } = {},
): Record<string, number> {
  const m = measureRates(contenders, options);
  return options.clock === 'wall' ? m.wall : m.cpu;
}

/**
 * Builds a result line for contender `name` against contender `ref` of one {@link measureRates}: the
 * CPU-time figures as `value`/`ratio`, the wall-clock ones as `wall`.
 */
export function measuredResult(
  suite: string,
  caseName: string,
  metric: string,
  unit: string,
  rates: MeasuredRates,
  name: string,
  ref: { key: string; label: string } | null,
  extra: { goal?: number; note?: string } = {},
): BenchResult {
  const result = rateResult(
    suite,
    caseName,
    metric,
    unit,
    rates.cpu[name]!,
    ref ? { name: ref.label, value: rates.cpu[ref.key]! } : null,
    extra,
  );
  const wallRef = ref ? rates.wall[ref.key]! : null;
  result.wall = {
    value: rates.wall[name]!,
    reference: wallRef,
    ratio: wallRef === null ? null : rates.wall[name]! / wallRef,
  };
  return result;
}

/** Builds a result line for a rate measured against a reference rate. */
export function rateResult(
  suite: string,
  caseName: string,
  metric: string,
  unit: string,
  value: number,
  reference: { name: string; value: number } | null,
  extra: { goal?: number; note?: string } = {},
): BenchResult {
  return {
    suite,
    case: caseName,
    metric,
    value,
    unit,
    reference,
    ratio: reference ? value / reference.value : null,
    ...extra,
  };
}
