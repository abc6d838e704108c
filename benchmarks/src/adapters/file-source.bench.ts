/**
 * File replay and quality-check throughput.
 *
 * `file-source`: fileSource replaying a JSON Lines file of readings in the design document's schema
 * (1M lines, 50k in quick mode; 10 sensors round robin; written to a temp dir by the bench) as fast
 * as a `for await` consumer takes them, against the bare line reader of Node (`node:readline` over
 * a file stream, `for await`, `JSON.parse` of each line). fileSource does more per line: it checks
 * each reading against the telemetry schema (decodeReading: the ISO timestamp parsed, the quality,
 * seq), counts it, and hands it through its bounded channel. For scale, the note also gives a
 * hand-written chunk splitter with JSON.parse (faster than readline; what fileSource reads with).
 *
 * `quality-check`: qualityCheck with every rule at its default over an in-memory source of 10
 * sensors, against iterating the same in-memory source bare: the rules' cost per reading.
 *
 * Contenders run in alternation, the best round of each counts; CPU time of this process (the file
 * is in the page cache after the first round) and wall time are both reported.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import {
  defineSensors,
  fileSource,
  qualityCheck,
  type Reading,
  ReadingChannel,
  type Source,
  SourceCounters,
  type SourceStats,
  type TwinEvent,
} from '@twinkit/adapters';
import { type BenchCase, type BenchResult, cpuMs, rateResult } from '../harness';

const SUITE = 'adapters';
const SENSORS = 10;
const T0 = Date.UTC(2024, 0, 15);
const topic = (k: number) => `factory/production/line1/machine/telemetry/s${k}`;
const sensors = defineSensors(
  Array.from({ length: SENSORS }, (_, k) => ({
    id: `S${k}`,
    source: topic(k),
    unit: 'degC',
    range: [0, 150] as const,
    samplingHz: 100,
    accuracy: 0.5,
  })),
);

/** The n-th reading of the stream: 10 sensors round robin, each at 100 Hz. */
function readingAt(n: number): Reading {
  const k = n % SENSORS;
  const i = Math.floor(n / SENSORS);
  const time = T0 + i * 10;
  return {
    timestamp: new Date(time).toISOString(),
    time,
    source: topic(k),
    value: 50 + 5 * Math.sin(i / 200),
    unit: 'degC',
    quality: 'good',
    sensor_id: `S${k}`,
    receivedAt: time,
    seq: i,
  };
}

function writeFile(path: string, lines: number): void {
  const parts: string[] = [];
  let text = '';
  for (let n = 0; n < lines; n++) {
    const { receivedAt: _r, time: _t, ...body } = readingAt(n);
    text += `${JSON.stringify(body)}\n`;
    if (text.length > 1 << 20) {
      parts.push(text);
      text = '';
    }
  }
  parts.push(text);
  writeFileSync(path, parts.join(''));
}

interface Timing {
  cpu: number;
  wall: number;
}

async function timed(fn: () => Promise<number>, expected: number): Promise<Timing> {
  const c0 = cpuMs();
  const w0 = performance.now();
  const n = await fn();
  const timing = { cpu: cpuMs() - c0, wall: performance.now() - w0 };
  if (n !== expected) throw new Error(`bench: expected ${expected} readings, got ${n}`);
  return timing;
}

/** Runs the contenders in alternation; returns the best rate of each, CPU and wall, in units/s. */
async function alternate(
  contenders: Record<string, () => Promise<number>>,
  work: number,
  rounds: number,
): Promise<Record<string, { cpu: number; wall: number }>> {
  const best: Record<string, { cpu: number; wall: number }> = {};
  for (let r = 0; r < rounds + 1; r++) {
    for (const [name, fn] of Object.entries(contenders)) {
      const t = await timed(fn, work);
      if (r === 0) continue; // warm-up: JIT and page cache
      const rate = { cpu: work / (t.cpu / 1000), wall: work / (t.wall / 1000) };
      const b = best[name];
      best[name] = b ? { cpu: Math.max(b.cpu, rate.cpu), wall: Math.max(b.wall, rate.wall) } : rate;
    }
  }
  return best;
}

async function viaFileSource(path: string): Promise<number> {
  let n = 0;
  let sum = 0;
  for await (const r of fileSource({ path, format: 'jsonl' })) {
    sum += r.value;
    n++;
  }
  if (!Number.isFinite(sum)) throw new Error('bench: no sum');
  return n;
}

async function viaReadline(path: string): Promise<number> {
  let n = 0;
  let sum = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    sum += (JSON.parse(line) as { value: number }).value;
    n++;
  }
  if (!Number.isFinite(sum)) throw new Error('bench: no sum');
  return n;
}

async function viaChunks(path: string): Promise<number> {
  let n = 0;
  let sum = 0;
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    const text = rest + (chunk as string);
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      sum += (JSON.parse(text.slice(start, nl)) as { value: number }).value;
      n++;
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
  }
  if (!Number.isFinite(sum)) throw new Error('bench: no sum');
  return n;
}

/** A source of readings held in memory, pulled through a bounded channel like every source. */
class MemorySource implements Source {
  readonly name = 'memory';
  private readonly counters = new SourceCounters();
  private readonly channel = new ReadingChannel(this.counters, { capacity: 1024 });
  private started = false;
  constructor(private readonly readings: readonly Reading[]) {}
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    void this.pump();
  }
  private async pump(): Promise<void> {
    for (const r of this.readings) {
      this.counters.received();
      if (this.channel.size < 1024) this.channel.offer(r);
      else await this.channel.put(r);
    }
    this.channel.end();
  }
  async close(): Promise<void> {
    this.channel.discard();
  }
  stats(): SourceStats {
    return this.counters.snapshot(this.channel.size);
  }
  onEvent(listener: (event: TwinEvent) => void): () => void {
    return this.counters.onEvent(listener);
  }
  [Symbol.asyncIterator](): AsyncIterator<Reading> {
    void this.start();
    return this.channel[Symbol.asyncIterator]();
  }
}

async function consume(source: Source): Promise<number> {
  let n = 0;
  let sum = 0;
  for await (const r of source) {
    sum += r.value;
    n++;
  }
  if (!Number.isFinite(sum)) throw new Error('bench: no sum');
  return n;
}

const ratioNote = (a: { cpu: number; wall: number }, b: { cpu: number; wall: number }) =>
  `CPU ${(a.cpu / b.cpu).toFixed(2)}x, wall ${(a.wall / b.wall).toFixed(2)}x`;

export const cases: BenchCase[] = [
  {
    suite: SUITE,
    name: 'file-source',
    async run({ quick }): Promise<BenchResult[]> {
      const lines = quick ? 50_000 : 1_000_000;
      const dir = mkdtempSync(join(tmpdir(), 'twinkit-bench-file-'));
      try {
        const path = join(dir, 'telemetry.jsonl');
        writeFile(path, lines);
        const best = await alternate(
          {
            fileSource: () => viaFileSource(path),
            readline: () => viaReadline(path),
            chunks: () => viaChunks(path),
          },
          lines,
          quick ? 1 : 3,
        );
        const f = best.fileSource!;
        const rl = best.readline!;
        const ch = best.chunks!;
        return [
          rateResult(
            SUITE,
            'file-source',
            'readings/s (CPU)',
            'readings/s',
            f.cpu,
            { name: 'readline + JSON.parse', value: rl.cpu },
            {
              goal: 0.7,
              note: `${lines} JSONL lines; against a hand chunk splitter + JSON.parse: ${ratioNote(f, ch)}`,
            },
          ),
          rateResult(
            SUITE,
            'file-source',
            'readings/s (wall)',
            'readings/s',
            f.wall,
            { name: 'readline + JSON.parse', value: rl.wall },
            {
              goal: 0.7,
            },
          ),
        ];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    suite: SUITE,
    name: 'quality-check',
    async run({ quick }): Promise<BenchResult[]> {
      const n = quick ? 50_000 : 1_000_000;
      const readings = Array.from({ length: n }, (_, i) => readingAt(i));
      const best = await alternate(
        {
          quality: () => consume(qualityCheck(new MemorySource(readings), { sensors })),
          bare: () => consume(new MemorySource(readings)),
        },
        n,
        quick ? 1 : 3,
      );
      const q = best.quality!;
      const b = best.bare!;
      const overheadNs = (1e9 / q.cpu - 1e9 / b.cpu).toFixed(0);
      return [
        rateResult(
          SUITE,
          'quality-check',
          'readings/s (CPU)',
          'readings/s',
          q.cpu,
          { name: 'the same source bare', value: b.cpu },
          {
            note: `every rule at its default, 10 sensors at 100 Hz; ${overheadNs} ns of CPU per reading over the bare source; ${ratioNote(q, b)}`,
          },
        ),
      ];
    },
  },
];
