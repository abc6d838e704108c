import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-example';

const run = promisify(execFile);

function factory(args: string[]) {
  return run(
    process.execPath,
    ['--import', 'tsx', '--conditions=@twinkit/source', 'examples/factory/main.ts', ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

describe('npm run factory', () => {
  it('runs end to end with a tiny configuration and writes the telemetry and a self-contained report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'factory-out-'));
    const tiny = [
      '--machines',
      '3',
      '--technicians',
      '2',
      '--days',
      '2',
      '--horizon-days',
      '1',
      '--forks',
      '3',
    ];
    const study = [
      '--what-if-days',
      '2',
      '--replications',
      '3',
      '--crew-replications',
      '3',
      '--scenarios',
      '1,2',
      '--workers',
      '2',
      '--out',
      out,
    ];
    const { stdout, stderr } = await factory([...tiny, ...study]);
    expect(stderr).toBe(''); // no progress indicator when stderr is not a terminal (and CI is set)
    // The answer first (one paragraph: crew, maintenance, plan, how sure, what would change it),
    // then the evidence.
    const [decision, blank, header] = stdout.split('\n');
    expect(decision).toMatch(/^Crew: [12] technicians?, the cheapest crew/);
    expect(decision).toMatch(/Maintenance: /);
    expect(decision).toMatch(/Plan: /);
    expect(decision).toContain('What would change it');
    // Numbers a person reads: currency, no exponents, no degenerate intervals written out.
    expect(decision).toMatch(/€[\d,]+/);
    expect(stdout).not.toMatch(/\de[-+]\d/);
    expect(stdout).not.toMatch(/\[([^,\]]+), \1\]/);
    expect(blank).toBe('');
    expect(header).toMatch(/^Hybrid factory twin: 3 machines, 2 technicians, seed 2026/);
    expect(stdout).toMatch(/2\. Twin synchronized with \d+ readings/);
    expect(stdout).toMatch(/3\. Next 24 h from Wed 7 Jan 2026 06:00 UTC \(3 forks/);
    expect(stdout).toMatch(/machine 1: (> [\d.]+ h \(95% of the forks run past the horizon\)|[\d.]+ h \[)/);
    expect(stdout).toMatch(/4\. Maintenance \(3 replications/);
    expect(stdout).toMatch(/5\. Crews on the plant as is, 2 days, 3 replications/);
    expect(stdout).toMatch(/5\. Crews on the stressed plant \(wear 20× faster/);
    expect(stdout).toMatch(/1 technician: €[\d,]+ \[€[\d,]+, €[\d,]+\]; downtime [\d.]+%/);
    expect(stdout).toMatch(/6\. Production plans over 1 days/);
    expect(stdout).toMatch(/Done in [\d.]+ s/);

    const lines = readFileSync(join(out, 'telemetry.jsonl'), 'utf8').trimEnd().split('\n');
    // 3 machines for 2 days: vibration every 5 min and temperature every 15 min, plus state changes.
    const sensorLines = 3 * ((2 * 1440) / 5 + (2 * 1440) / 15);
    expect(lines.length).toBeGreaterThanOrEqual(sensorLines);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({
      source: expect.stringMatching(/^factory\/line1\/machine\d\//),
      quality: 'good',
    });
    expect(first.timestamp).toBe('2026-01-05T06:05:00.000Z');

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // The report opens with the same decision paragraph, right under its title.
    const opening = /<h1>[^<]*<\/h1>\s*<p class="decision">([\s\S]*?)<\/p>/.exec(html)?.[1];
    expect(opening?.replace(/<\/?b>/g, '')).toBe(decision);
    for (const id of [
      'decision',
      'maintenance',
      'crews',
      'plans',
      'forecast',
      'sync',
      'floor',
      'glossary',
      'appendix',
    ])
      expect(html).toContain(`id="${id}"`);
    // Self-contained: no scripts, stylesheets or images fetched from anywhere.
    expect(html).not.toMatch(/<script|<link|<img|src="http/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      decision: string;
      forecast: { life: unknown[] };
      crews: { plant: string; comparisons: Record<string, { comparisons: unknown[] }> }[];
      plans: { scenarios: Record<string, unknown> };
    };
    expect(summary.decision).toBe(decision);
    expect(summary.forecast.life.length).toBe(3);
    // The full tables: every pair on every output, for both plants.
    expect(summary.crews.map((c) => c.plant)).toEqual(['plant as is', 'stressed plant']);
    expect(summary.crews[0]!.comparisons.totalCost!.comparisons.length).toBe(1);
    expect(Object.keys(summary.plans.scenarios).length).toBe(2);
  });

  it('exits with code 2 and a clear message for a bad option', async () => {
    const error = await factory(['--technicians', '-1']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(error?.code).toBe(2);
    expect(error?.stderr).toMatch(/^factory options \(--technicians\): must be an integer >= 1, got -1\./);
    expect(error?.stderr).toContain('npm run factory -- [options]');
  });
  it('--redis runs the what-if study on a BullMQ queue (two twinkit-worker processes) with the numbers of the threads', async () => {
    const queue = `factory-test-${process.pid}`;
    const common = [
      '--machines',
      '3',
      '--technicians',
      '2',
      '--days',
      '1',
      '--horizon-days',
      '1',
      '--forks',
      '2',
    ];
    const study = [
      '--what-if-days',
      '1',
      '--replications',
      '6',
      '--crew-replications',
      '6',
      '--scenarios',
      '1,2',
    ];
    // The studies' numbers (the line naming where they ran and the timings aside).
    const whatIf = (stdout: string) =>
      stdout
        .split('\n')
        .filter((line) => /technicians?: €|run to failure − plan|throughput/.test(line))
        .map((line) => line.replace(/\(\d+ replications, CRN, [^)]*\)/, ''))
        .join('\n');
    const threads = await factory([
      ...common,
      ...study,
      '--out',
      mkdtempSync(join(tmpdir(), 'factory-out-')),
    ]);
    const queued = await factory([
      ...common,
      ...study,
      '--redis',
      'redis://127.0.0.1:6379',
      '--queue',
      queue,
      '--out',
      mkdtempSync(join(tmpdir(), 'factory-out-')),
    ]);
    expect(queued.stdout).toMatch(new RegExp(`BullMQ queue '${queue}' at redis://127\\.0\\.0\\.1:6379`));
    expect(whatIf(queued.stdout)).not.toBe('');
    expect(whatIf(queued.stdout)).toBe(whatIf(threads.stdout));
  }, 120_000);
});
