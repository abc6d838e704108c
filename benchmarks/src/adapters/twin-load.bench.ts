/**
 * The live twin under load, through the real Mosquitto on 127.0.0.1:1883: a child process publishes
 * telemetry paced to the wall clock (each message stamped with the moment it is published), and a
 * twin in this process takes it through mqttSource, the quality check (units, range, spike,
 * heartbeat; the monotonic rule off, since one publisher delivers in order and its reorder window
 * would add its own length to every latency) and an EKF per machine (10 machines, 5 sensors each),
 * on the data clock.
 *
 * - `twin-load-500`: 50 sensors at 10 Hz (500 readings/s) at QoS 1 for 60 s (quick: 5 s): readings
 *   lost, p50/p99 of the latency from publish to the twin's state including the reading, and the
 *   twin's CPU share of one core.
 * - `twin-load-max`: rates stepped up at QoS 0, a fresh twin per step: the highest rate at which
 *   nothing is lost and p99 stays under 50 ms, against the rate a bare MQTT.js subscriber (with
 *   JSON.parse) takes from the same publisher in the same process, its own maximum.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createTwin, defineSensors, type Twin } from '@twinkit/adapters';
import { mqttSource } from '@twinkit/adapters/mqtt';
import { defineModel } from '@twinkit/core';
import { connectAsync } from 'mqtt';
import { type BenchCase, type BenchResult, cpuMs, rateResult } from '../harness';
import { brokerDown, MOSQUITTO_URL, skippedForBroker } from './mosquitto';

const SUITE = 'adapters';
const URL = MOSQUITTO_URL;
const MACHINES = 10;
const PER_MACHINE = 5;
const SENSORS = MACHINES * PER_MACHINE;

// The publisher: on "publish <root> <rate> <seconds> <qos>" it sends <rate> messages per second for
// <seconds>, round robin over the sensors, each stamped with Date.now() when it is sent, catching
// up every 5 ms; then answers "done <sent>".
const PUBLISHER = `
import { connectAsync } from 'mqtt';
import { createInterface } from 'node:readline';
const client = await connectAsync(process.argv[1], { reconnectPeriod: 0 });
// Small packets at once, not held by Nagle's algorithm for the broker's delayed ACK (40 ms).
client.stream.setNoDelay?.(true);
const jobs = [];
let wake = null;
createInterface({ input: process.stdin }).on('line', (line) => { jobs.push(line.split(' ')); wake?.(); })
  .on('close', () => { jobs.push(null); wake?.(); });
for (;;) {
  while (jobs.length === 0) await new Promise((r) => (wake = r));
  const job = jobs.shift();
  if (job === null) break;
  const [, root, rateText, secondsText, qosText] = job;
  const rate = Number(rateText), seconds = Number(secondsText), qos = Number(qosText);
  const topics = Array.from({ length: ${SENSORS} }, (_, k) => root + '/production/line1/m' + Math.floor(k / ${PER_MACHINE}) + '/telemetry/s' + k);
  const total = Math.round(rate * seconds);
  const last = new Array(${SENSORS}).fill(0);
  const t0 = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * rate));
    for (; sent < due; sent++) {
      const k = sent % ${SENSORS};
      // A sensor never stamps two readings in one millisecond (the twin would count the second a
      // duplicate): a burst after a stall moves a stamp on by 1 ms at most.
      const now = Math.max(Date.now(), last[k] + 1);
      last[k] = now;
      client.publish(topics[k], '{"timestamp":"' + new Date(now).toISOString() + '","value":' + (90 + (sent % 3) * 0.1) +
        ',"unit":"1","quality":"good","sensor_id":"S' + k + '","seq":' + Math.floor(sent / ${SENSORS}) + '}', { qos });
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  process.stdout.write('done ' + sent + '\\n');
}
await client.endAsync();
`;

interface Publisher {
  publish(root: string, rate: number, seconds: number, qos: 0 | 1): Promise<number>;
  stop(): void;
}

function startPublisher(): Publisher {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', PUBLISHER, URL], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const waiting: ((sent: number) => void)[] = [];
  lines.on('line', (line) => {
    if (line.startsWith('done ')) waiting.shift()?.(Number(line.slice(5)));
  });
  return {
    publish: (root, rate, seconds, qos) =>
      new Promise<number>((resolve) => {
        waiting.push(resolve);
        child.stdin?.write(`publish ${root} ${rate} ${seconds} ${qos}\n`);
      }),
    stop() {
      child.stdin?.end();
      child.kill();
    },
  };
}

/** Ten wearing machines: each health falls 0.001 a second (a tick per second). */
const machines = defineModel(
  (sim) => {
    const health = Array.from({ length: MACHINES }, () => 100);
    for (let i = 0; i < MACHINES; i++)
      sim.state.define(`m${i}.health`, { get: () => health[i]!, set: (v) => (health[i] = v) });
    sim.process(function* wear() {
      for (;;) {
        yield sim.timeout(1);
        for (let i = 0; i < MACHINES; i++) health[i]! -= 0.001;
      }
    });
    return { health };
  },
  { name: 'machines' },
);

function makeTwin(root: string, qos: 0 | 1): Twin<undefined, { health: number[] }> {
  const sensors = defineSensors(
    Array.from({ length: SENSORS }, (_, k) => ({
      id: `S${k}`,
      source: `${root}/production/line1/m${Math.floor(k / PER_MACHINE)}/telemetry/s${k}`,
      unit: '1',
      range: [0, 200] as const,
      asset: `M${Math.floor(k / PER_MACHINE)}`,
    })),
  );
  const assets: Record<
    string,
    {
      state: string[];
      Q: number[][];
      sensors: Record<string, { h: (x: Float64Array) => number[]; R: number }>;
    }
  > = {};
  for (let i = 0; i < MACHINES; i++) {
    const own: Record<string, { h: (x: Float64Array) => number[]; R: number }> = {};
    for (let j = 0; j < PER_MACHINE; j++) own[`S${i * PER_MACHINE + j}`] = { h: (x) => [x[0]!], R: 0.5 };
    assets[`M${i}`] = { state: [`m${i}.health`], Q: [[1e-4]], sensors: own };
  }
  return createTwin({
    model: machines,
    sources: [
      mqttSource({
        url: URL,
        topics: [`${root}/production/+/+/telemetry/+`],
        sensors,
        qos: { [`${root}/production/+/+/telemetry/+`]: qos },
        maxQueued: 1_000_000,
      }),
    ],
    quality: { sensors, monotonic: false, heartbeat: { limitMs: 5000, clock: 'wall' } },
    assimilate: { filter: 'ekf', assets, drift: false },
    time: { unitMs: 1000 },
  });
}

interface Step {
  rate: number;
  sent: number;
  received: number;
  assimilated: number;
  p50: number;
  p99: number;
  cpuShare: number;
}

/** One twin at one rate: publishes for `seconds`, waits for the tail, reads the counters. */
async function step(publisher: Publisher, rate: number, seconds: number, qos: 0 | 1): Promise<Step> {
  const root = `load${randomBytes(4).toString('hex')}`;
  const twin = makeTwin(root, qos);
  await twin.start();
  const cpu0 = cpuMs();
  const wall0 = performance.now();
  const sent = await publisher.publish(root, rate, seconds, qos);
  // The tail: until everything arrived or nothing came for a second.
  let last = -1;
  let quietSince = performance.now();
  for (;;) {
    const got = twin.stats().readings.received;
    if (got >= sent) break;
    if (got !== last) {
      last = got;
      quietSince = performance.now();
    } else if (performance.now() - quietSince > 1000) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const cpu = cpuMs() - cpu0;
  const wall = performance.now() - wall0;
  const s = twin.stats();
  await twin.stop();
  return {
    rate,
    sent,
    received: s.readings.received,
    assimilated: s.readings.assimilated,
    p50: s.latency.source.p50,
    p99: s.latency.source.p99,
    cpuShare: cpu / wall,
  };
}

/** The bare reference: a plain MQTT.js subscriber with JSON.parse, at a given rate. */
async function bareStep(publisher: Publisher, rate: number, seconds: number): Promise<number> {
  const root = `load${randomBytes(4).toString('hex')}`;
  const client = await connectAsync(URL, { reconnectPeriod: 0 });
  await client.subscribeAsync(`${root}/production/+/+/telemetry/+`, { qos: 0 });
  let n = 0;
  let sum = 0;
  client.on('message', (_t, payload) => {
    sum += (JSON.parse(payload.toString()) as { value: number }).value;
    n += 1;
  });
  const sent = await publisher.publish(root, rate, seconds, 0);
  let last = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    if (n >= sent || n === last) break;
    last = n;
  }
  await client.endAsync();
  if (!Number.isFinite(sum)) throw new Error('twin-load: bare subscriber read a non-number');
  return n / sent;
}

/** A rate is sustained when nothing is lost and p99 of publish-to-state stays under 50 ms. */
const sustained = (s: Step) => s.received === s.sent && s.assimilated === s.sent && s.p99 < 50;

export const cases: BenchCase[] = [
  {
    suite: SUITE,
    name: 'twin-load-500',
    async run({ quick }): Promise<BenchResult[]> {
      const down = await brokerDown();
      if (down !== undefined) return skippedForBroker(SUITE, 'twin-load-500', down);
      const publisher = startPublisher();
      try {
        const seconds = quick ? 5 : 60;
        const s = await step(publisher, 500, seconds, 1);
        const note = `${SENSORS} sensors × 10 Hz for ${seconds} s at QoS 1 through Mosquitto; ${s.sent} published, ${s.received} received, ${s.assimilated} assimilated (lost: ${s.sent - s.received}); latency from publish to the state including the reading p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms (last 4096 readings); twin process CPU ${(100 * s.cpuShare).toFixed(1)}% of one core`;
        return [
          rateResult(
            SUITE,
            'twin-load-500',
            'readings delivered / published',
            'ratio',
            s.received / s.sent,
            null,
            {
              note,
            },
          ),
          rateResult(SUITE, 'twin-load-500', 'p99 publish-to-state latency', 'ms', s.p99, null, { note }),
          rateResult(SUITE, 'twin-load-500', 'CPU share of one core', 'ratio', s.cpuShare, null, { note }),
        ];
      } finally {
        publisher.stop();
      }
    },
  },
  {
    suite: SUITE,
    name: 'twin-load-max',
    async run({ quick }): Promise<BenchResult[]> {
      const down = await brokerDown();
      if (down !== undefined) return skippedForBroker(SUITE, 'twin-load-max', down);
      const publisher = startPublisher();
      try {
        const seconds = quick ? 2 : 5;
        const rates = quick ? [1000, 5000] : [1000, 2500, 5000, 7500, 10_000, 15_000, 20_000];
        const steps: Step[] = [];
        for (const rate of rates) {
          const s = await step(publisher, rate, seconds, 0);
          steps.push(s);
          if (!sustained(s)) break;
        }
        // The publisher's and the broker's own limit: the fastest rate a bare subscriber keeps up with.
        let bareRate = 0;
        for (const rate of quick ? [5000] : [10_000, 20_000, 30_000, 40_000]) {
          const delivered = await bareStep(publisher, rate, seconds);
          if (delivered < 1) break;
          bareRate = rate;
        }
        const best = steps.filter(sustained).at(-1)?.rate ?? 0;
        const note = `QoS 0, ${seconds} s per step, a fresh twin per step; steps: ${steps
          .map(
            (s) =>
              `${s.rate}/s: lost ${s.sent - s.received}, not assimilated ${s.received - s.assimilated}, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, CPU ${(100 * s.cpuShare).toFixed(0)}%`,
          )
          .join('; ')}; a bare MQTT.js subscriber took every message up to ${bareRate}/s`;
        return [
          rateResult(
            SUITE,
            'twin-load-max',
            'readings/s sustained (nothing lost, p99 < 50 ms)',
            'readings/s',
            best,
            bareRate > 0 ? { name: 'bare MQTT.js subscriber, same publisher', value: bareRate } : null,
            { note },
          ),
        ];
      } finally {
        publisher.stop();
      }
    },
  },
];
