import { randomBytes } from 'node:crypto';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MosquittoProcess, startMosquitto } from '../../test-support/mosquitto';
import { requireService } from '../../test-support/services';
import { startTcpProxy } from '../../test-support/tcp-proxy';
import { sleep, waitFor } from '../../test-support/wait-for';
import { defineSensors, type Reading, type TwinEvent } from '../index';
import { type MqttSource, mqttSink, mqttSource, startEmbeddedBroker } from './index';

beforeAll(() => requireService('mosquitto'));

// Faults on real links: a TCP proxy between a client and the real Mosquitto that cuts or stalls
// the link, and brokers (aedes, and a private Mosquitto process) killed and restarted.
const MOSQUITTO_PORT = 1883;
const MOSQUITTO = `mqtt://127.0.0.1:${MOSQUITTO_PORT}`;
const root = () => `tk${randomBytes(4).toString('hex')}`;
const sum = (o: Readonly<Record<string, number>>) => Object.values(o).reduce((a, b) => a + b, 0);
const FAST = { initialMs: 100, maxMs: 400 };

function reading(source: string, sensor: string, seq: number): Reading {
  const time = Date.UTC(2024, 0, 15) + seq * 10;
  return {
    timestamp: new Date(time).toISOString(),
    time,
    source,
    value: seq % 7,
    unit: '1',
    quality: 'good',
    sensor_id: sensor,
    receivedAt: 0,
    seq,
  };
}

/** A plant of two sensors: telemetry (QoS 0 by policy) and a health status (QoS 1). */
function plant() {
  const p = root();
  const tel = `${p}/production/line1/machine/telemetry/vibration`;
  const stat = `${p}/production/line1/machine/status/health`;
  return {
    p,
    tel,
    stat,
    sensors: defineSensors([
      { id: 'VIB', source: tel, unit: '1' },
      { id: 'HEALTH', source: stat, unit: '1' },
    ]),
  };
}

/** Consumes a source in the background, keeping the distinct seq numbers per sensor. */
function consume(source: MqttSource) {
  const seqs: Record<string, Set<number>> = { VIB: new Set(), HEALTH: new Set() };
  const done = (async () => {
    for await (const r of source) seqs[r.sensor_id]?.add(r.seq as number);
  })();
  return { seqs, done };
}

const addsUp = (source: MqttSource) => {
  const s = source.stats();
  return s.received === s.accepted + sum(s.rejected) + sum(s.dropped) + s.pending;
};

describe.concurrent('a link cut for 2 s mid-stream (Mosquitto behind a TCP proxy)', () => {
  const N = 400; // per sensor, one of each every 10 ms
  const CUT_AT = 100;

  it("on the source's side: no QoS 1 reading lost (kept session), QoS 0 losses counted exactly from seq gaps", async () => {
    const { p, tel, stat, sensors } = plant();
    const proxy = await startTcpProxy({ targetPort: MOSQUITTO_PORT });
    const clientId = `${p}-twin`;
    const source = mqttSource({ url: proxy.url, sensors, clientId, reconnect: FAST });
    const events: TwinEvent[] = [];
    source.onEvent((e) => events.push(e));
    await source.start();
    const { seqs, done } = consume(source);
    const sink = mqttSink({ url: MOSQUITTO, statusTopic: false });
    for (let i = 0; i < N; i++) {
      if (i === CUT_AT) proxy.cut(2_000);
      await sink.write({ kind: 'reading', reading: reading(tel, 'VIB', i) });
      await sink.write({ kind: 'reading', reading: reading(stat, 'HEALTH', i) });
      await sleep(10);
    }
    await sink.flush();
    await waitFor(
      () => seqs.HEALTH?.size === N && seqs.VIB?.has(N - 1) === true,
      10_000,
      () =>
        `all health readings and the last vibration one (${seqs.HEALTH?.size}, ${JSON.stringify(source.stats())})`,
    );
    const stats = source.stats();
    const lost = N - (seqs.VIB?.size ?? 0);
    expect(seqs.HEALTH?.size).toBe(N);
    expect(stats.seqGapsBySensor.HEALTH ?? 0).toBe(0);
    expect(lost).toBeGreaterThan(50); // about 200 were published while the link was down
    expect(stats.seqGapsBySensor.VIB).toBe(lost);
    expect(stats.seqGaps).toBe(lost);
    expect(stats.reconnects).toBe(1);
    expect(events.map((e) => e.event_type)).toEqual(['source_disconnected', 'source_reconnected']);
    expect(events[1]?.details).toMatchObject({ sessionPresent: true });
    expect(addsUp(source)).toBe(true);
    expect(sink.stats()).toMatchObject({ written: 2 * N, delivered: 2 * N });
    await sink.close();
    await source.close();
    await done;
    await (await connectAsync(MOSQUITTO, { clientId, clean: true, reconnectPeriod: 0 })).endAsync();
    await proxy.close();
  });

  it("on the sink's side: it buffers and drains, no QoS 1 reading lost; QoS 0 losses in the receiver's seq gaps", async () => {
    const { tel, stat, sensors } = plant();
    const source = mqttSource({ url: MOSQUITTO, sensors });
    await source.start();
    const { seqs, done } = consume(source);
    const proxy = await startTcpProxy({ targetPort: MOSQUITTO_PORT });
    // No client id: a clean session; MQTT.js's store still resends the unacknowledged QoS 1 ones.
    const sink = mqttSink({ url: proxy.url, statusTopic: false, reconnect: FAST });
    await sink.start();
    let maxBuffered = 0;
    for (let i = 0; i < N; i++) {
      if (i === CUT_AT) proxy.cut(2_000);
      await sink.write({ kind: 'reading', reading: reading(tel, 'VIB', i) });
      await sink.write({ kind: 'reading', reading: reading(stat, 'HEALTH', i) });
      maxBuffered = Math.max(maxBuffered, sink.stats().buffered);
      await sleep(10);
    }
    await sink.flush();
    await waitFor(
      () => seqs.HEALTH?.size === N && seqs.VIB?.has(N - 1) === true,
      10_000,
      () => `all health readings and the last vibration one (${seqs.HEALTH?.size})`,
    );
    const s = sink.stats();
    expect(maxBuffered).toBeGreaterThan(200); // the outage was held in the sink's buffer
    expect(s.reconnects).toBe(1);
    expect(s.written).toBe(2 * N);
    expect(s.written).toBe(s.delivered + sum(s.dropped) + s.failed + s.buffered);
    expect(s.failed).toBe(0);
    expect(seqs.HEALTH?.size).toBe(N);
    // QoS 0 readings written into the socket as it was cut are lost without the sink knowing;
    // the receiver sees each of them as a gap in seq.
    const lost = N - (seqs.VIB?.size ?? 0);
    expect(source.stats().seqGapsBySensor.VIB ?? 0).toBe(lost);
    expect(lost).toBeLessThanOrEqual(20);
    await sink.close();
    await source.close();
    await done;
    await proxy.close();
  });

  it('a stalled link (no FIN, no RST) is found dead by the keepalive and recovered after it resumes', async () => {
    const { tel, sensors } = plant();
    const proxy = await startTcpProxy({ targetPort: MOSQUITTO_PORT });
    const source = mqttSource({
      url: proxy.url,
      sensors,
      keepaliveSeconds: 1,
      connectTimeoutMs: 1_000,
      reconnect: FAST,
    });
    const events: string[] = [];
    source.onEvent((e) => events.push(e.event_type));
    await source.start();
    const { seqs, done } = consume(source);
    proxy.stall();
    await waitFor(
      () => events.includes('source_disconnected'),
      5_000,
      'the keepalive to declare the link dead',
    );
    proxy.resume();
    await waitFor(() => source.stats().connected, 5_000, 'the source to reconnect');
    const sink = mqttSink({
      url: MOSQUITTO,
      statusTopic: false,
      topicPolicy: [{ pattern: '#/telemetry/#', qos: 1, retain: false }],
    });
    await sink.write({ kind: 'reading', reading: reading(tel, 'VIB', 0) });
    await waitFor(() => seqs.VIB?.has(0) === true, 3_000, 'a reading after the stall');
    expect(source.stats().reconnects).toBeGreaterThanOrEqual(1);
    await sink.close();
    await source.close();
    await done;
    await proxy.close();
  });
});

interface RestartableBroker {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

async function aedesBroker(): Promise<RestartableBroker> {
  let broker = await startEmbeddedBroker();
  const port = broker.port;
  return {
    name: 'aedes',
    port,
    url: broker.url,
    stop: () => broker.close(),
    start: async () => {
      broker = await startEmbeddedBroker({ port });
    },
    close: () => broker.close(),
  };
}

async function mosquittoBroker(): Promise<RestartableBroker> {
  const broker: MosquittoProcess = await startMosquitto();
  return {
    name: 'Mosquitto',
    port: broker.port,
    url: broker.url,
    stop: () => broker.stop('SIGKILL'),
    start: () => broker.restart(),
    close: () => broker.close(),
  };
}

describe.each([
  ['aedes (embedded)', aedesBroker],
  ['a private Mosquitto process, killed with SIGKILL', mosquittoBroker],
])('the broker restarted: %s', (_name, make) => {
  let broker: RestartableBroker;
  beforeAll(async () => {
    broker = await make();
  });
  afterAll(async () => {
    await broker.close();
  });

  it('the source resubscribes (the new broker has no session), the sink drains what it buffered meanwhile', async () => {
    const { p, stat, sensors } = plant();
    // A kept session: the source must notice that the restarted broker lost it (sessionPresent false).
    const source = mqttSource({ url: broker.url, sensors, clientId: `${p}-twin`, reconnect: FAST });
    const events: TwinEvent[] = [];
    source.onEvent((e) => events.push(e));
    await source.start();
    const { seqs, done } = consume(source);
    // The sink goes through a proxy held shut until the source is back, so the drain cannot
    // race the resubscription (messages to a topic nobody subscribes to are not kept).
    const proxy = await startTcpProxy({ targetPort: broker.port });
    const sink = mqttSink({ url: proxy.url, statusTopic: false, reconnect: FAST });
    for (let i = 0; i < 10; i++) await sink.write({ kind: 'reading', reading: reading(stat, 'HEALTH', i) });
    await sink.flush(); // acknowledged: none of these is in flight when the broker dies
    await waitFor(() => seqs.HEALTH?.size === 10, 5_000, '10 readings before the restart');

    await broker.stop();
    proxy.cut();
    await waitFor(
      () => !source.stats().connected && !sink.stats().connected,
      5_000,
      'both to see the broker gone',
    );
    for (let i = 10; i < 60; i++) await sink.write({ kind: 'reading', reading: reading(stat, 'HEALTH', i) });
    expect(sink.stats()).toMatchObject({ buffered: 50, written: 60, delivered: 10 });
    await broker.start();
    await waitFor(
      () => events.some((e) => e.event_type === 'source_reconnected'),
      10_000,
      'the source to resubscribe',
    );
    expect(events.find((e) => e.event_type === 'source_reconnected')?.details).toMatchObject({
      sessionPresent: false,
    });
    proxy.restore();
    await sink.flush();
    await waitFor(
      () => seqs.HEALTH?.size === 60,
      5_000,
      () => `60 readings (${seqs.HEALTH?.size})`,
    );
    expect(sink.stats()).toMatchObject({ written: 60, delivered: 60, buffered: 0, failed: 0, dropped: {} });
    expect(sink.stats().reconnects).toBeGreaterThanOrEqual(1);
    expect(source.stats()).toMatchObject({ reconnects: 1, seqGaps: 0 });
    await sink.close();
    await source.close();
    await done;
    await proxy.close();
  });
});
