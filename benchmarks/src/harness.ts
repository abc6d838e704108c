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

/**
 * Measures the rate (units per second) of each contender, where one call of `fn` performs `work` units
 * (events, customers, updates). Contenders are measured in alternation, round after round; each round
 * repeats `fn` until at least `minMs` have passed, and the best round counts. Alternating and taking the
 * best cancels most of the drift of a shared machine; the warm-up rounds let the JIT settle first.
 */
export function compareRates(
  contenders: Record<string, { work: number; fn: () => unknown }>,
  options: { rounds?: number; warmup?: number; minMs?: number; clock?: 'cpu' | 'wall' } = {},
): Record<string, number> {
  const rounds = options.rounds ?? 5;
  const warmup = options.warmup ?? 2;
  const minMs = options.minMs ?? 200;
  // CPU time of this process by default: on a shared machine, time spent descheduled is not ours.
  // Use 'wall' for anything that runs on other threads (worker pools).
  const clock = options.clock === 'wall' ? () => performance.now() : cpuMs;
  const best: Record<string, number> = {};
  const names = Object.keys(contenders);
  for (let r = 0; r < warmup + rounds; r++) {
    for (const name of names) {
      const c = contenders[name]!;
      let calls = 0;
      const t0 = clock();
      let elapsed = 0;
      do {
        c.fn();
        calls++;
        elapsed = clock() - t0;
      } while (elapsed < minMs);
      if (r < warmup) continue;
      const rate = (c.work * calls) / (elapsed / 1000);
      if (!(name in best) || rate > best[name]!) best[name] = rate;
    }
  }
  return best;
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
