/**
 * Runs the benchmark suite: every `src/<suite>/*.bench.ts` module exports `cases: BenchCase[]`.
 *
 *   npm run bench                 # full sizes
 *   npm run bench -- --quick      # every case small (the CI smoke)
 *   npm run bench -- --suite des  # one suite (repeatable)
 *
 * Writes benchmarks/results/latest.json and prints a table of ratios.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCase, BenchResult } from './harness';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const suites = args.flatMap((a, i) => (a === '--suite' && args[i + 1] ? [args[i + 1]!] : []));
const unknown = args.filter(
  (a, i) => a.startsWith('--') && a !== '--quick' && a !== '--suite' && args[i - 1] !== '--suite',
);
if (unknown.length > 0) {
  console.error(`bench: unknown option ${unknown.join(' ')}; use --quick and/or --suite <name>`);
  process.exit(2);
}

const modules = readdirSync(here)
  .filter((d) => statSync(join(here, d)).isDirectory())
  .filter((d) => suites.length === 0 || suites.includes(d))
  .sort()
  .flatMap((d) =>
    readdirSync(join(here, d))
      .filter((f) => f.endsWith('.bench.ts'))
      .sort()
      .map((f) => join(here, d, f)),
  );

const results: BenchResult[] = [];
const startedAt = new Date().toISOString();
for (const file of modules) {
  const mod = (await import(pathToFileURL(file).href)) as { cases?: BenchCase[] };
  for (const c of mod.cases ?? []) {
    process.stdout.write(`  ${c.suite}/${c.name} ...`);
    const lines = await c.run({ quick });
    results.push(...lines);
    process.stdout.write(' done\n');
  }
}

const fmt = (v: number) =>
  Math.abs(v) >= 1e6
    ? `${(v / 1e6).toFixed(2)}M`
    : Math.abs(v) >= 1e3
      ? `${(v / 1e3).toFixed(1)}k`
      : v.toPrecision(3);
const rows = results.map((r) => [
  `${r.suite}/${r.case}`,
  r.metric,
  `${fmt(r.value)} ${r.unit}`,
  r.reference ? `${r.reference.name} ${fmt(r.reference.value)}` : '-',
  r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
  r.wall?.ratio == null ? '-' : `${r.wall.ratio.toFixed(2)}x`,
  r.goal === undefined
    ? ''
    : r.ratio !== null && r.ratio >= r.goal
      ? `>= ${r.goal} ok`
      : `>= ${r.goal} MISSED`,
]);
const header = ['case', 'metric', 'value', 'reference', 'ratio (cpu)', 'ratio (wall)', 'goal'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const r of rows) console.log(line(r));

const out = join(here, '..', 'results', 'latest.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ startedAt, quick, node: process.version, results }, null, 2)}\n`);
console.log(
  `\n${results.length} results written to benchmarks/results/latest.json${quick ? ' (quick)' : ''}`,
);
