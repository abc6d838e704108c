import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireService } from '../../test-support/services';
import { startTcpProxy } from '../../test-support/tcp-proxy';
import { sleep, waitFor } from '../../test-support/wait-for';
import { defineSensors, makeEvent, type Reading, type SinkStats } from '../index';
import { mqttSink, mqttSource } from './index';

beforeAll(() => requireService('mosquitto'));

// Real peer: the Mosquitto broker of this machine; a TCP proxy in between when the link must fail.
const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const root = () => `tk${randomBytes(4).toString('hex')}`;
const sum = (o: Readonly<Record<string, number>>) => Object.values(o).reduce((a, b) => a + b, 0);
const addsUp = (s: SinkStats) => s.written === s.delivered + sum(s.dropped) + s.failed + s.buffered;

function reading(source: string, sensor: string, value: number, seq: number): Reading {
  const time = Date.UTC(2024, 0, 15) + seq * 10;
  return {
    timestamp: new Date(time).toISOString(),
    time,
    source,
    value,
    unit: '1',
    quality: 'good',
    sensor_id: sensor,
    receivedAt: 0,
    seq,
  };
}

/** A plain MQTT.js subscriber that records every packet it gets. */
async function subscriber(filters: string[]): Promise<{ client: MqttClient; packets: IPublishPacket[] }> {
  const client = await connectAsync(MOSQUITTO, { reconnectPeriod: 0 });
  const packets: IPublishPacket[] = [];
  client.on('message', (_topic, _payload, packet) => packets.push(packet));
  await client.subscribeAsync(filters, { qos: 2 });
  return { client, packets };
}

/** The retained message on `topic`, as a new subscriber sees it. */
async function retained(topic: string): Promise<{ body: unknown; retain: boolean } | undefined> {
  const { client, packets } = await subscriber([topic]);
  await waitFor(() => packets.length > 0, 1_000, `a retained message on ${topic}`).catch(() => {});
  await client.endAsync();
  const p = packets[0];
  return p ? { body: JSON.parse(p.payload.toString()), retain: p.retain } : undefined;
}

describe('mqttSink options and messages', () => {
  it('refuses unknown keys and bad settings with clear errors', () => {
    expect(() => mqttSink({ url: MOSQUITTO, maxBuffer: 5 } as never)).toThrow(
      /unknown option 'maxBuffer'.*Did you mean 'maxBuffered'\?/,
    );
    expect(() => mqttSink({ url: MOSQUITTO, onFull: 'drop' as 'wait' })).toThrow(
      /onFull must be 'wait' or 'error'/,
    );
    expect(() => mqttSink({ url: MOSQUITTO, statusTopic: 'a/+/status/state' })).toThrow(
      /statusTopic may not hold the wildcards/,
    );
    expect(() => mqttSink({ url: MOSQUITTO, maxInflight: 70_000 })).toThrow(/below 65,535/);
    expect(() =>
      mqttSink({ url: MOSQUITTO, topicPolicy: [{ pattern: '#', qos: 3 as 1, retain: false }] }),
    ).toThrow(/rules\[0\]\.qos must be 0, 1 or 2/);
  });

  it('refuses bad messages at write(), counted as written and failed', async () => {
    const sink = mqttSink({ url: MOSQUITTO, statusTopic: false });
    await expect(sink.write({ kind: 'telemetry' } as never)).rejects.toThrow(
      /message.kind must be 'reading', 'event'/,
    );
    await expect(
      sink.write({ kind: 'reading', reading: reading('a/+/telemetry/x', 'X', 1, 0) }),
    ).rejects.toThrow(/reading.source may not hold the wildcards/);
    await expect(sink.write({ kind: 'state', topic: 'a/simulation/s', payload: { n: 10n } })).rejects.toThrow(
      /cannot be written as JSON/,
    );
    await expect(sink.write({ kind: 'kpi', topic: '', payload: 1 })).rejects.toThrow(
      /topic of a kpi message must be a non-empty/,
    );
    expect(sink.stats()).toMatchObject({ written: 4, failed: 4, delivered: 0, buffered: 0 });
    await sink.close();
    await expect(sink.write({ kind: 'kpi', topic: 'a/simulation/k', payload: 1 })).rejects.toThrow(
      /write\(\) after close\(\)/,
    );
    expect(addsUp(sink.stats())).toBe(true);
  });

  it('publishes each kind on its topic with the policy QoS and retain; birth, close and last will on the status topic', async () => {
    const p = root();
    const { client, packets } = await subscriber([`${p}/#`]);
    const proxy = await startTcpProxy({ targetPort: 1883 });
    const sink = mqttSink({ url: proxy.url, topicRoot: p, clientId: `${p}-sink` });
    expect(sink.statusTopic).toBe(`${p}/twin/${p}-sink/status/state`);
    await sink.start();
    const telemetry = reading(`${p}/production/line1/machine/telemetry/temperature`, 'T', 78.5, 7);
    await sink.write({ kind: 'reading', reading: telemetry });
    await sink.write({
      kind: 'event',
      event: makeEvent('machine_failure', 'critical', 'line1/machine', 0, { part: 'spindle' }),
    });
    await sink.write({ kind: 'state', topic: `${p}/simulation/state/sync`, payload: { wip: 12 } });
    await sink.write({
      kind: 'prediction',
      topic: `${p}/production/line1/machine/status/state`,
      payload: { state: 'running' },
    });
    await sink.flush();
    await waitFor(() => packets.length >= 5, 2_000, '5 packets');
    const seen = Object.fromEntries(
      packets.map((k) => [k.topic, { qos: k.qos, body: JSON.parse(k.payload.toString()) }]),
    );
    expect(seen[`${p}/twin/${p}-sink/status/state`]).toMatchObject({
      qos: 1,
      body: { state: 'online', client_id: `${p}-sink` },
    });
    expect(seen[`${p}/production/line1/machine/telemetry/temperature`]).toEqual({
      qos: 0,
      body: {
        timestamp: telemetry.timestamp,
        source: telemetry.source,
        value: 78.5,
        unit: '1',
        quality: 'good',
        sensor_id: 'T',
        seq: 7,
      },
    });
    expect(seen[`${p}/events/line1/machine/status/machine_failure`]).toMatchObject({
      qos: 1,
      body: { event_type: 'machine_failure', severity: 'critical', details: { part: 'spindle' } },
    });
    expect(seen[`${p}/simulation/state/sync`]).toEqual({ qos: 1, body: { wip: 12 } });
    expect(await retained(`${p}/production/line1/machine/status/state`)).toEqual({
      body: { state: 'running' },
      retain: true,
    });
    expect((await retained(sink.statusTopic as string))?.body).toMatchObject({ state: 'online' });

    // The link dies without a DISCONNECT: the broker publishes the will.
    proxy.cut();
    await waitFor(() => sink.stats().connected === false, 2_000, 'the sink to see the cut');
    await waitFor(
      () =>
        packets.some((k) => k.topic === sink.statusTopic && k.payload.toString().includes('connection_lost')),
      3_000,
      'the last will',
    );
    proxy.restore();
    await waitFor(() => sink.stats().connected, 5_000, 'the sink to reconnect');
    expect((await retained(sink.statusTopic as string))?.body).toMatchObject({ state: 'online' });
    await sink.close();
    expect((await retained(sink.statusTopic as string))?.body).toMatchObject({
      state: 'offline',
      reason: 'closed',
    });
    expect(sink.stats()).toMatchObject({ written: 4, delivered: 4, reconnects: 1 });
    // Leave the broker clean: retained messages and the kept session go.
    for (const t of [sink.statusTopic as string, `${p}/production/line1/machine/status/state`])
      await client.publishAsync(t, '', { retain: true, qos: 1 });
    await client.endAsync();
    await (
      await connectAsync(MOSQUITTO, { clientId: `${p}-sink`, clean: true, reconnectPeriod: 0 })
    ).endAsync();
    await proxy.close();
  });
});

describe('mqttSink buffer (Mosquitto behind a cut link)', () => {
  it('drops QoS 0 oldest first, keeps QoS 1 (write waits for room), drains in order after the link is back', async () => {
    const p = root();
    const tel = `${p}/production/l1/m/telemetry/t`;
    const stat = `${p}/production/l1/m/status/health`;
    const { client, packets } = await subscriber([`${p}/#`]);
    const proxy = await startTcpProxy({ targetPort: 1883 });
    const sink = mqttSink({
      url: proxy.url,
      maxBuffered: 5,
      statusTopic: false,
      reconnect: { initialMs: 50, maxMs: 100 },
    });
    await sink.start();
    proxy.cut();
    await waitFor(() => !sink.stats().connected, 2_000, 'the sink to see the cut');
    const w = (topic: string, seq: number) =>
      sink.write({ kind: 'reading', reading: reading(topic, topic === tel ? 'T' : 'S', seq, seq) });
    for (let i = 0; i < 3; i++) await w(stat, i); // QoS 1 (status)
    for (let i = 0; i < 10; i++) await w(tel, i); // QoS 0 (telemetry): the 8 oldest go
    expect(sink.stats()).toMatchObject({ written: 13, buffered: 5, dropped: { buffer_full: 8 } });
    await w(stat, 3); // drops telemetry 8
    await w(stat, 4); // drops telemetry 9
    const waiting = w(stat, 5); // the buffer holds five QoS 1 messages: this write waits
    let resolved = false;
    void waiting.then(() => (resolved = true));
    await w(tel, 10); // no older QoS 0 message to drop: this one goes
    await sleep(50);
    expect(resolved).toBe(false);
    expect(sink.stats()).toMatchObject({
      written: 16,
      buffered: 5,
      waiting: 1,
      dropped: { buffer_full: 11 },
    });
    expect(addsUp(sink.stats())).toBe(true);
    proxy.restore();
    await waiting;
    await sink.flush();
    await waitFor(() => packets.length >= 6, 2_000, '6 messages');
    expect(packets.map((k) => [k.topic === tel ? 'T' : 'S', JSON.parse(k.payload.toString()).seq])).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => ['S', i]),
    );
    expect(sink.stats()).toMatchObject({
      written: 17,
      delivered: 6,
      buffered: 0,
      waiting: 0,
      failed: 0,
      dropped: { buffer_full: 11 },
    });
    await sink.close();
    await client.endAsync();
    await proxy.close();
  });

  it("with onFull: 'error' refuses a QoS 1 message when full; counts what close() could not deliver", async () => {
    const proxy = await startTcpProxy({ targetPort: 1883 });
    const sink = mqttSink({
      url: proxy.url,
      maxBuffered: 2,
      maxBufferedBytes: 1024,
      onFull: 'error',
      statusTopic: false,
      closeTimeoutMs: 100,
    });
    await sink.start();
    proxy.cut();
    await waitFor(() => !sink.stats().connected, 2_000, 'the sink to see the cut');
    const topic = 'tk/production/l1/m/status/health';
    await sink.write({ kind: 'state', topic, payload: 1 });
    await sink.write({ kind: 'state', topic, payload: 2 });
    await expect(sink.write({ kind: 'state', topic, payload: 3 })).rejects.toThrow(
      /buffer is full of QoS 1\/2 messages \(2 of maxBuffered 2.*broker disconnected\).*onFull: 'wait'/,
    );
    await expect(sink.write({ kind: 'state', topic, payload: 'x'.repeat(2000) })).rejects.toThrow(
      /larger than maxBufferedBytes 1024/,
    );
    expect(sink.stats()).toMatchObject({ written: 4, failed: 2, buffered: 2 });
    await sink.close();
    expect(sink.stats()).toMatchObject({
      written: 4,
      failed: 2,
      buffered: 0,
      delivered: 0,
      dropped: { closed: 2 },
    });
    expect(addsUp(sink.stats())).toBe(true);
    await proxy.close();
  });

  it('takes the 360,000 messages of a 1-hour outage at 100/s in bounded memory, counts every drop, delivers the rest', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const p = root();
    const tel = `${p}/production/line1/machine/telemetry/vibration`;
    const stat = `${p}/production/line1/machine/status/health`;
    const sensors = defineSensors([
      { id: 'VIB', source: tel, unit: '1' },
      { id: 'HEALTH', source: stat, unit: '1' },
    ]);
    const receiver = mqttSource({ url: MOSQUITTO, sensors, maxQueued: 20_000 });
    await receiver.start();
    const proxy = await startTcpProxy({ targetPort: 1883 });
    const maxBuffered = 10_000;
    const maxBufferedBytes = 4 * 1024 * 1024;
    const sink = mqttSink({
      url: proxy.url,
      maxBuffered,
      maxBufferedBytes,
      statusTopic: false,
      reconnect: { initialMs: 50, maxMs: 100 },
    });
    await sink.start();
    proxy.cut();
    await waitFor(() => !sink.stats().connected, 2_000, 'the sink to see the cut');
    // The JS heap after a full collection. Payload bytes live outside it (ArrayBuffers, whose
    // backing stores V8 frees concurrently, too late for a reading here): bufferedBytes bounds them.
    const memory = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = memory();
    let steady = 0; // once the buffer is full: from here on, memory must stay flat
    let maxSeen = 0;
    let maxBytesSeen = 0;
    for (let i = 0; i < 360_000; i++) {
      await sink.write({ kind: 'reading', reading: reading(tel, 'VIB', Math.sin(i), i) });
      // One health status a minute: QoS 1, never dropped.
      if (i % 6_000 === 5_999)
        await sink.write({ kind: 'reading', reading: reading(stat, 'HEALTH', 1, (i + 1) / 6_000 - 1) });
      if (i % 1_000 === 0) {
        const s = sink.stats();
        maxSeen = Math.max(maxSeen, s.buffered);
        maxBytesSeen = Math.max(maxBytesSeen, s.bufferedBytes);
      }
      if (i === 36_000) steady = memory();
    }
    const after = memory();
    expect(maxSeen).toBeLessThanOrEqual(maxBuffered);
    expect(maxBytesSeen).toBeLessThanOrEqual(maxBufferedBytes);
    // The last 324,000 messages (about 130 MB of readings and JSON) leave the heap where it was once
    // the buffer was full; the whole run adds no more than the 10,000 held messages' bookkeeping.
    expect(after - steady).toBeLessThan(8 * 1024 * 1024);
    expect(after - before).toBeLessThan(24 * 1024 * 1024);
    const written = 360_060;
    expect(sink.stats()).toMatchObject({
      written,
      buffered: maxBuffered,
      failed: 0,
      dropped: { buffer_full: written - maxBuffered },
    });

    const { readings, done } = (() => {
      const got: Reading[] = [];
      const finished = (async () => {
        for await (const r of receiver) {
          got.push(r);
          if (got.length >= maxBuffered) break;
        }
      })();
      return { readings: got, done: finished };
    })();
    proxy.restore();
    await sink.flush();
    expect(sink.stats()).toMatchObject({
      written,
      delivered: maxBuffered,
      buffered: 0,
      dropped: { buffer_full: written - maxBuffered },
    });
    expect(addsUp(sink.stats())).toBe(true);
    await done;
    const health = readings.filter((r) => r.sensor_id === 'HEALTH').map((r) => r.seq);
    const vibration = readings.filter((r) => r.sensor_id === 'VIB').map((r) => r.seq as number);
    expect(health).toEqual([...Array(60).keys()]);
    // The newest 9,940 telemetry readings survived, in order.
    expect(vibration).toEqual(
      Array.from({ length: maxBuffered - 60 }, (_, k) => 360_000 - (maxBuffered - 60) + k),
    );
    await sink.close();
    await proxy.close();
  }, 30_000);

  it('delivers a 1,000-message QoS 2 burst to Mosquitto completely (at most 16 in flight)', async () => {
    const p = root();
    const topic = `${p}/production/l1/m/command/setpoint`;
    const sensors = defineSensors([{ id: 'SP', source: topic, unit: '1' }]);
    const receiver = mqttSource({ url: MOSQUITTO, sensors, maxQueued: 2_000 });
    expect(receiver.subscriptions).toEqual([{ filter: topic, qos: 2 }]); // commands are QoS 2 by policy
    await receiver.start();
    const sink = mqttSink({ url: MOSQUITTO, statusTopic: false });
    await sink.start();
    let maxInflight = 0;
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 1_000; i++) {
      writes.push(sink.write({ kind: 'reading', reading: reading(topic, 'SP', i, i) }));
      maxInflight = Math.max(maxInflight, sink.stats().inflight);
    }
    const seqs = new Set<number>();
    const consumer = (async () => {
      for await (const r of receiver) {
        seqs.add(r.seq as number);
        if (seqs.size === 1_000) break;
      }
    })();
    await Promise.all(writes);
    await sink.flush();
    expect(maxInflight).toBe(16);
    expect(sink.stats()).toMatchObject({ written: 1_000, delivered: 1_000, failed: 0, dropped: {} });
    await consumer;
    expect(seqs.size).toBe(1_000);
    expect(receiver.stats()).toMatchObject({ received: 1_000, seqGaps: 0 });
    await sink.close();
  });
});

describe('mqttSink with no broker', () => {
  it('fails start() after startTimeoutMs; what was written is reported failed, nothing hangs', async () => {
    const sink = mqttSink({
      url: 'mqtt://127.0.0.1:1',
      startTimeoutMs: 200,
      reconnect: { initialMs: 20 },
    });
    const write = sink.write({ kind: 'kpi', topic: 'a/simulation/kpi', payload: 1 });
    await expect(write).resolves.toBeUndefined(); // accepted into the buffer
    await expect(sink.flush()).rejects.toThrow(
      /could not connect to mqtt:\/\/127.0.0.1:1 within startTimeoutMs 200/,
    );
    expect(sink.stats()).toMatchObject({ written: 1, failed: 1, buffered: 0 });
    await expect(sink.write({ kind: 'kpi', topic: 'a/simulation/kpi', payload: 2 })).rejects.toThrow(
      /could not connect/,
    );
    await sink.close();
    expect(addsUp(sink.stats())).toBe(true);
  });

  it('close() before the first connection ends the attempt at once and counts what was held', async () => {
    const sink = mqttSink({ url: 'mqtt://127.0.0.1:1', startTimeoutMs: 60_000, closeTimeoutMs: 50 });
    await sink.write({ kind: 'kpi', topic: 'a/simulation/kpi', payload: 1 });
    await sink.close();
    expect(sink.stats()).toMatchObject({ written: 1, buffered: 0, dropped: { closed: 1 } });
    expect(addsUp(sink.stats())).toBe(true);
    const source = mqttSource({ url: 'mqtt://127.0.0.1:1', topics: ['a/#'], startTimeoutMs: 60_000 });
    const started = source.start();
    await source.close();
    await expect(started).rejects.toThrow(/closed before the first connection to mqtt:\/\/127.0.0.1:1/);
  }, 5_000); // far below startTimeoutMs: the attempt must end with close(), not time out
});
