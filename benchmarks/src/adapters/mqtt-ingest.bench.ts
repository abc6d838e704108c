/**
 * MQTT ingest through qualityCheck(mqttSource) against a bare MQTT.js subscription that
 * JSON.parses each message, for the same messages from the same broker: the real Mosquitto on
 * 127.0.0.1:1883. A child process publishes them (QoS 0 telemetry readings in the design
 * document's schema, 10 sensors round robin, as fast as the broker takes them), so this process's
 * CPU time is the ingest alone: MQTT.js's packet parsing in both; in the twinkit path also the
 * decoding into a Reading, the source's channel and seq tracking, every quality rule at its default
 * (units, range, monotonicity with its reorder window, spike filter, heartbeat) and the `for await`
 * consumer. Values alternate by a quarter degree around a level per sensor, so the spike filter
 * computes its median on every reading and rejects none. Every round checks that both received
 * every message and that no rule rejected one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { defineSensors, qualityCheck } from '@twinkit/adapters';
import { mqttSource } from '@twinkit/adapters/mqtt';
import { connectAsync } from 'mqtt';
import { type BenchCase, type BenchResult, cpuMs, rateResult } from '../harness';
import { brokerDown, MOSQUITTO_URL, skippedForBroker } from './mosquitto';

const SUITE = 'adapters';
const CASE = 'mqtt-ingest';
const URL = MOSQUITTO_URL;
const SENSORS = 10;

// The publisher: a plain MQTT.js client in its own process. On "publish <root> <count>" it sends
// <count> readings (source time 10 s apart per sensor, so the quality check's reorder window holds
// back no more than the last few), then one more on sensor 0 a minute of source time later (it
// moves the data clock past the window, so every reading is handed on; the bare consumer counts
// it), then answers "done". Flow control, end to end: it stays at most WINDOW messages ahead of
// what the consumer acknowledged ("ack <n>" every ACK_EVERY messages), because Mosquitto drops QoS 0
// (and QoS 1) messages for a subscriber whose queue is full, and a measurement must not lose any.
const WINDOW = 600;
const ACK_EVERY = 200;
const PUBLISHER = `
import { connectAsync } from 'mqtt';
import { createInterface } from 'node:readline';
const client = await connectAsync(process.argv[1], { reconnectPeriod: 0 });
const t0 = Date.UTC(2024, 0, 15);
const body = (root, k, i, time) => JSON.stringify({ timestamp: new Date(time).toISOString(),
  source: root + '/production/line1/machine/telemetry/s' + k, value: 40 + k + (i % 2) * 0.25,
  unit: 'degC', quality: 'good', sensor_id: 'S' + k, seq: i });
let acked = 0;
let wake = null;
const jobs = [];
let wakeJob = null;
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, a, b] = line.split(' ');
  if (cmd === 'ack') { acked = Number(a); wake?.(); }
  else if (cmd === 'publish') { jobs.push([a, Number(b)]); wakeJob?.(); }
}).on('close', () => { jobs.push(null); wakeJob?.(); });
for (;;) {
  while (jobs.length === 0) await new Promise((r) => (wakeJob = r));
  const job = jobs.shift();
  if (job === null) break;
  const [root, count] = job;
  acked = 0;
  const topics = Array.from({ length: ${SENSORS} }, (_, k) => root + '/production/line1/machine/telemetry/s' + k);
  for (let n = 0; n < count; n++) {
    while (n - acked >= ${WINDOW}) await new Promise((r) => (wake = r));
    const k = n % ${SENSORS};
    const i = Math.floor(n / ${SENSORS});
    client.publish(topics[k], body(root, k, i, t0 + i * 10000), { qos: 0 });
  }
  const last = Math.floor(count / ${SENSORS});
  await client.publishAsync(topics[0], body(root, 0, last + 1, t0 + last * 10000 + 60000), { qos: 0 });
  process.stdout.write('done\\n');
}
await client.endAsync();
`;

interface Publisher {
  publish(root: string, count: number): Promise<void>;
  /** Tells the publisher how many messages the consumer has handled. */
  ack(handled: number): void;
  stop(): void;
}

function startPublisher(): Publisher {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', PUBLISHER, URL], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const waiting: (() => void)[] = [];
  lines.on('line', (line) => {
    if (line === 'done') waiting.shift()?.();
  });
  return {
    publish(root, count) {
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        child.stdin?.write(`publish ${root} ${count}\n`);
      });
    },
    ack(handled) {
      child.stdin?.write(`ack ${handled}\n`);
    },
    stop() {
      child.stdin?.end();
      child.kill();
    },
  };
}

interface Round {
  /** Messages that made it through (QoS 0: a broker may drop some when a subscriber lags). */
  messages: number;
  cpuMs: number;
  wallMs: number;
}

const sensorsOf = (root: string) =>
  defineSensors(
    Array.from({ length: SENSORS }, (_, k) => ({
      id: `S${k}`,
      source: `${root}/production/line1/machine/telemetry/s${k}`,
      unit: 'degC',
      range: [0, 150] as const,
    })),
  );

// A round ends at its last expected message, or, when the broker dropped some (QoS 0 to a
// lagging subscriber, Mosquitto's max_queued_messages), once nothing came for IDLE_MS; the wall
// time then ends at the last message, and CPU time is not spent while idle.
const IDLE_MS = 1_500;

/** Times from the publisher's go (both contenders idle until the first message) to the last message out. */
function clock() {
  let wall0 = 0;
  let cpu0 = 0;
  let last = 0;
  return {
    start() {
      wall0 = performance.now();
      last = wall0;
      cpu0 = cpuMs();
    },
    tick() {
      last = performance.now();
    },
    idle: () => performance.now() - last > IDLE_MS,
    stop(messages: number): Round {
      return { messages, cpuMs: cpuMs() - cpu0, wallMs: last - wall0 };
    },
  };
}

async function twinkitRound(publisher: Publisher, count: number): Promise<Round> {
  const root = `bench${randomBytes(4).toString('hex')}`;
  const sensors = sensorsOf(root);
  const source = mqttSource({
    url: URL,
    topics: [`${root}/+/+/+/telemetry/+`],
    sensors,
    maxQueued: count + 10,
  });
  const checked = qualityCheck(source, { sensors });
  await checked.start();
  const timer = clock();
  timer.start();
  const published = publisher.publish(root, count);
  // qualityCheck's loop does not close its source on break; closing ends the loop and the socket.
  const watchdog = setInterval(() => {
    if (timer.idle()) void checked.close();
  }, 100);
  let n = 0;
  let sum = 0;
  for await (const reading of checked) {
    sum += reading.value;
    n += 1;
    timer.tick();
    if (n % ACK_EVERY === 0) publisher.ack(n);
    if (n === count) break;
  }
  const round = timer.stop(n);
  clearInterval(watchdog);
  await published;
  await checked.close();
  const stats = checked.stats();
  if (!Number.isFinite(sum) || Object.keys(stats.rejected).length > 0 || n < count * 0.9)
    throw new Error(`mqtt-ingest: the twinkit path lost or rejected readings: ${JSON.stringify(stats)}`);
  return round;
}

async function bareRound(publisher: Publisher, count: number): Promise<Round> {
  const root = `bench${randomBytes(4).toString('hex')}`;
  const client = await connectAsync(URL, { reconnectPeriod: 0 });
  await client.subscribeAsync(`${root}/+/+/+/telemetry/+`, { qos: 0 });
  const timer = clock();
  const expected = count + 1; // and the publisher's last message
  let n = 0;
  let sum = 0;
  const finished = new Promise<void>((resolve) => {
    const watchdog = setInterval(() => {
      if (timer.idle()) {
        clearInterval(watchdog);
        resolve();
      }
    }, 100);
    client.on('message', (_topic, payload) => {
      sum += (JSON.parse(payload.toString()) as { value: number }).value;
      n += 1;
      timer.tick();
      if (n % ACK_EVERY === 0) publisher.ack(n);
      if (n === expected) {
        clearInterval(watchdog);
        resolve();
      }
    });
  });
  timer.start();
  await publisher.publish(root, count);
  await finished;
  const round = timer.stop(Math.min(n, count));
  await client.endAsync();
  if (!Number.isFinite(sum) || n < count * 0.9) throw new Error('mqtt-ingest: the bare path lost messages');
  return round;
}

export const cases: BenchCase[] = [
  {
    suite: SUITE,
    name: CASE,
    async run({ quick }): Promise<BenchResult[]> {
      const down = await brokerDown();
      if (down !== undefined) return skippedForBroker(SUITE, CASE, down);
      const publisher = startPublisher();
      try {
        const count = quick ? 10_000 : 100_000;
        const rounds = quick ? 2 : 5;
        const best = { twinkit: { cpu: 0, wall: 0, lost: 0 }, bare: { cpu: 0, wall: 0, lost: 0 } };
        for (let r = 0; r < rounds + 1; r++) {
          // Alternate; the first round of each warms up (JIT, the broker's topic tree).
          for (const [name, round] of [
            ['bare', bareRound],
            ['twinkit', twinkitRound],
          ] as const) {
            const result = await round(publisher, count);
            if (r === 0) continue;
            const b = best[name];
            b.lost += count - result.messages;
            b.cpu = Math.max(b.cpu, result.messages / (result.cpuMs / 1000));
            b.wall = Math.max(b.wall, result.messages / (result.wallMs / 1000));
          }
        }
        const note = `Mosquitto on 127.0.0.1:1883, publisher in a child process; ${count} QoS 0 JSON readings per round over ${SENSORS} sensors; qualityCheck with every rule at its default; QoS 0 messages the broker dropped in the measured rounds: bare ${best.bare.lost}, twinkit ${best.twinkit.lost}`;
        return [
          rateResult(
            SUITE,
            CASE,
            'messages per CPU second',
            'msg/s',
            best.twinkit.cpu,
            { name: 'bare MQTT.js + JSON.parse', value: best.bare.cpu },
            { goal: 0.8, note },
          ),
          rateResult(
            SUITE,
            CASE,
            'messages per wall second',
            'msg/s',
            best.twinkit.wall,
            { name: 'bare MQTT.js + JSON.parse', value: best.bare.wall },
            { goal: 0.8, note: `${note}; wall time is bounded by the publisher and the broker too` },
          ),
        ];
      } finally {
        publisher.stop();
      }
    },
  },
];
