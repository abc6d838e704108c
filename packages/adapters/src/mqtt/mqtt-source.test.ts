import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireService } from '../../test-support/services';
import { waitFor } from '../../test-support/wait-for';
import { type DecodeRejection, decodePayload, defineSensors, type Reading } from '../index';
import { type EmbeddedBroker, mqttSink, mqttSource, qosForFilter, startEmbeddedBroker } from './index';

beforeAll(() => requireService('mosquitto'));

// Real peers: the Mosquitto broker of this machine and an embedded aedes broker. Every test uses
// topics under a random root, so runs (and other test files) never see each other's messages.
const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const root = () => `tk${randomBytes(4).toString('hex')}`;
const REASONS: readonly DecodeRejection[] = [
  'malformed_json',
  'not_an_object',
  'missing_field',
  'invalid_value',
  'invalid_timestamp',
  'invalid_quality',
  'invalid_field',
  'unknown_sensor',
];

let aedes: EmbeddedBroker;
beforeAll(async () => {
  aedes = await startEmbeddedBroker();
});
afterAll(async () => {
  await aedes.close();
});

function reading(source: string, sensor: string, value: number, seq: number, unit = 'degC'): Reading {
  const time = Date.UTC(2024, 0, 15, 10, 30, 0) + seq * 1000;
  return {
    timestamp: new Date(time).toISOString(),
    time,
    source,
    value,
    unit,
    quality: 'good',
    sensor_id: sensor,
    receivedAt: 0,
    seq,
  };
}

/** Collects readings from a source in the background until `count` arrived. */
function collect(
  source: AsyncIterable<Reading>,
  count: number,
): { readings: Reading[]; done: Promise<void> } {
  const readings: Reading[] = [];
  const done = (async () => {
    for await (const r of source) {
      readings.push(r);
      if (readings.length >= count) break;
    }
  })();
  return { readings, done };
}

/** Deletes a kept session, so the brokers are left as found. */
async function forgetSession(url: string, clientId: string): Promise<void> {
  const client = await connectAsync(url, { clientId, clean: true, reconnectPeriod: 0 });
  await client.endAsync();
}

const sum = (o: Readonly<Record<string, number>>) => Object.values(o).reduce((a, b) => a + b, 0);

describe('mqttSource options', () => {
  const sensors = defineSensors([{ id: 'T', source: 'f/p/l/m/telemetry/t', unit: 'degC' }]);

  it('refuses unknown keys, a missing URL, bad filters, qos for a filter it does not subscribe to', () => {
    expect(() => mqttSource({ url: MOSQUITTO, sensors, maxQueue: 5 } as never)).toThrow(
      /unknown option 'maxQueue'.*Did you mean 'maxQueued'\?/,
    );
    const saved = process.env.TWINKIT_MQTT_URL;
    delete process.env.TWINKIT_MQTT_URL;
    try {
      expect(() => mqttSource({ sensors })).toThrow(/needs the broker URL.*TWINKIT_MQTT_URL/);
    } finally {
      if (saved !== undefined) process.env.TWINKIT_MQTT_URL = saved;
    }
    expect(() => mqttSource({ url: MOSQUITTO })).toThrow(/needs topics to subscribe to, or sensors/);
    expect(() => mqttSource({ url: MOSQUITTO, topics: ['a/#/b'] })).toThrow(
      /'#' must be a whole level and the last/,
    );
    expect(() => mqttSource({ url: MOSQUITTO, topics: ['a/b+'] })).toThrow(/'\+' must be a whole level/);
    expect(() => mqttSource({ url: MOSQUITTO, topics: ['a/#'], qos: { 'a/+': 1 } })).toThrow(
      /qos names the filter "a\/\+", which is not one of topics.*"a\/#"/,
    );
    expect(() => mqttSource({ url: MOSQUITTO, topics: ['a/#'], qos: { 'a/#': 3 as 1 } })).toThrow(
      /must be 0, 1 or 2/,
    );
    expect(() => mqttSource({ url: 'http://127.0.0.1', topics: ['a'] })).toThrow(/mqtt:\/\/, mqtts:\/\//);
    expect(() => mqttSource({ url: MOSQUITTO, topics: ['a'], maxQueued: 0 })).toThrow(
      /maxQueued must be an integer >= 1/,
    );
    expect(() => mqttSource({ url: MOSQUITTO, topics: ['a'], tls: { caFile: '/x' } })).toThrow(
      /tls options need an mqtts:\/\/ .*Use mqtts:\/\/127.0.0.1:1883/,
    );
    expect(() => mqttSource({ url: MOSQUITTO, topics: ['a'], reconnect: { initalMs: 5 } as never })).toThrow(
      /reconnect: unknown option 'initalMs'.*Did you mean 'initialMs'\?/,
    );
  });

  it('subscribes at the topic policy QoS: names by qosFor, wildcard filters by their text, overrides first', () => {
    expect(qosForFilter('factory/production/line1/machine/telemetry/temperature')).toBe(0);
    expect(qosForFilter('factory/production/line1/machine/status/state')).toBe(1);
    expect(qosForFilter('factory/production/line1/machine/command/stop')).toBe(2);
    expect(qosForFilter('factory/+/+/+/telemetry/+')).toBe(0);
    expect(qosForFilter('factory/+/line1/+/status/#')).toBe(1);
    expect(qosForFilter('factory/simulation/#')).toBe(1);
    expect(qosForFilter('factory/#')).toBe(1);
    expect(qosForFilter('#')).toBe(1);
    expect(
      qosForFilter('factory/+/+/+/telemetry/+', [{ pattern: '#/telemetry/#', qos: 2, retain: false }]),
    ).toBe(2);
    expect(() => qosForFilter('a/#/b')).toThrow(/'#' must be a whole level/);
    const source = mqttSource({
      url: MOSQUITTO,
      topics: ['f/+/+/+/telemetry/+', 'f/+/+/+/status/#', 'f/#'],
      qos: { 'f/#': 2 },
    });
    expect(source.subscriptions).toEqual([
      { filter: 'f/+/+/+/telemetry/+', qos: 0 },
      { filter: 'f/+/+/+/status/#', qos: 1 },
      { filter: 'f/#', qos: 2 },
    ]);
    expect(source.name).toBe('mqtt mqtt://127.0.0.1:1883');
    // Without a client id, a generated one of at most 23 characters (what every broker must accept).
    expect(source.clientId).toMatch(/^twinkit[0-9a-f]{16}$/);
  });
});

describe.each([
  ['Mosquitto', () => MOSQUITTO],
  ['aedes', () => aedes.url],
])('mqttSource against %s', (_name, url) => {
  it('receives what mqttSink publishes, reading for reading', async () => {
    const p = root();
    const sensors = defineSensors([
      { id: 'TEMP-001', source: `${p}/production/line1/machine/telemetry/temperature`, unit: 'degC' },
      { id: 'STATE-001', source: `${p}/production/line1/machine/status/health`, unit: '1' },
    ]);
    // Telemetry at QoS 1 here, so the comparison can be exact; the fault tests cover QoS 0 losses.
    const topicPolicy = [{ pattern: '#/telemetry/#', qos: 1 as const, retain: false }];
    const source = mqttSource({ url: url(), sensors, topicPolicy });
    expect(source.subscriptions.map((s) => s.qos)).toEqual([1, 1]);
    await source.start();
    const sink = mqttSink({ url: url(), topicPolicy });
    const sent: Reading[] = [];
    for (let i = 0; i < 100; i++) {
      sent.push(reading(`${p}/production/line1/machine/telemetry/temperature`, 'TEMP-001', 20 + i / 10, i));
      sent.push(reading(`${p}/production/line1/machine/status/health`, 'STATE-001', i % 2, i, '1'));
    }
    const { readings, done } = collect(source, sent.length);
    for (const r of sent) await sink.write({ kind: 'reading', reading: r });
    await sink.flush();
    await done;
    const strip = ({ receivedAt: _r, ...rest }: Reading) => rest;
    const bySensor = (rs: Reading[], id: string) => rs.filter((r) => r.sensor_id === id).map(strip);
    for (const id of ['TEMP-001', 'STATE-001']) expect(bySensor(readings, id)).toEqual(bySensor(sent, id));
    expect(readings.every((r) => r.receivedAt > 0)).toBe(true);
    const stats = source.stats();
    expect(stats).toMatchObject({
      received: 200,
      accepted: 200,
      rejected: {},
      dropped: {},
      pending: 0,
      seqGaps: 0,
    });
    expect(stats.lastReadingTime['TEMP-001']).toBe(sent[198]?.time);
    expect(sink.stats()).toMatchObject({ written: 200, delivered: 200, failed: 0, buffered: 0, dropped: {} });
    await sink.close();
    await source.close();
  });

  it('keeps its session with a clientId: QoS 1 readings published while it was closed arrive when it is back', async () => {
    const p = root();
    const topic = `${p}/production/line1/machine/status/health`;
    const sensors = defineSensors([{ id: 'H', source: topic, unit: '1' }]);
    const clientId = `${p}-twin`;
    try {
      const first = mqttSource({ url: url(), sensors, clientId });
      await first.start();
      await first.close();
      const sink = mqttSink({ url: url() });
      for (let i = 0; i < 20; i++)
        await sink.write({ kind: 'reading', reading: reading(topic, 'H', i, i, '1') });
      await sink.close(); // flushed: every QoS 1 message is acknowledged by the broker
      expect(sink.stats().delivered).toBe(20);
      const second = mqttSource({ url: url(), sensors, clientId });
      const { readings, done } = collect(second, 20);
      await done;
      expect(readings.map((r) => r.seq)).toEqual([...Array(20).keys()]);
      expect(second.stats()).toMatchObject({ received: 20, accepted: 20, seqGaps: 0 });
      // Leaving the loop closed the source (and its connection).
      expect(second.stats().connected).toBe(false);
      await expect(second.start()).rejects.toThrow(/start\(\) after close\(\)/);
    } finally {
      await forgetSession(url(), clientId);
    }
  });
});

describe('mqttSource decoding (Mosquitto)', () => {
  let publisher: MqttClient;
  beforeAll(async () => {
    publisher = await connectAsync(MOSQUITTO, { reconnectPeriod: 0 });
  });
  afterAll(async () => {
    await publisher.endAsync();
  });

  it('takes a bare number on a registered sensor topic; counts the rest by reason', async () => {
    const p = root();
    const topic = `${p}/production/line1/machine/telemetry/temperature`;
    const sensors = defineSensors([{ id: 'TEMP-001', source: topic, unit: 'degC', range: [0, 150] }]);
    const source = mqttSource({ url: MOSQUITTO, topics: [`${p}/#`], qos: { [`${p}/#`]: 1 }, sensors });
    await source.start();
    const { readings, done } = collect(source, 3);
    for (const payload of ['78.5', ' 12 ', '-3e2']) await publisher.publishAsync(topic, payload, { qos: 1 });
    await publisher.publishAsync(`${p}/production/line1/machine/telemetry/unknown`, '5', { qos: 1 });
    for (const payload of ['NaN', '1e999', 'Infinity', '', '[1]'])
      await publisher.publishAsync(topic, payload, { qos: 1 });
    await done;
    await waitFor(() => source.stats().received === 9, 5_000, '9 messages');
    expect(readings.map((r) => [r.value, r.sensor_id, r.unit, r.source])).toEqual([
      [78.5, 'TEMP-001', 'degC', topic],
      [12, 'TEMP-001', 'degC', topic],
      [-300, 'TEMP-001', 'degC', topic],
    ]);
    expect(source.stats()).toMatchObject({
      received: 9,
      accepted: 3,
      rejected: { unknown_sensor: 1, malformed_json: 3, invalid_value: 1, not_an_object: 1 },
      dropped: {},
    });
    expect(source.stats().lastRejection).toMatchObject({ topic, reason: 'not_an_object' });
    await source.close();
  });

  it('counts and names every malformed payload; none crashes it, none becomes a NaN reading (property)', async () => {
    const p = root();
    const topic = `${p}/production/line1/machine/telemetry/current`;
    const sensors = defineSensors([{ id: 'CUR-001', source: topic, unit: 'A' }]);
    const source = mqttSource({ url: MOSQUITTO, sensors, qos: { [topic]: 1 } });
    await source.start();
    const accepted: Reading[] = [];
    const consumer = (async () => {
      for await (const r of source) accepted.push(r);
    })();

    const iso = fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString());
    const field = <T>(arb: fc.Arbitrary<T>) =>
      fc.oneof(arb, fc.string(), fc.double(), fc.constant(null), fc.boolean());
    const readingLike = fc
      .record(
        {
          timestamp: fc.oneof(iso, field(fc.constant('2024-01-15T10:30:45'))),
          value: fc.oneof(fc.double(), field(fc.integer())),
          sensor_id: fc.oneof(fc.constantFrom('CUR-001', 'NOPE-9'), field(fc.constant(''))),
          unit: field(fc.constant('A')),
          quality: fc.oneof(fc.constantFrom('good', 'uncertain', 'bad', 'stale'), field(fc.constant('fine'))),
          seq: fc.oneof(fc.nat(), field(fc.constant(-1))),
          source: field(fc.constant('x/y')),
        },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o));
    const payload = fc.oneof(
      readingLike,
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.double().map(String),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    );

    let published = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 30 }), async (payloads) => {
        const before = source.stats();
        const acceptedBefore = accepted.length;
        const expected: Record<string, number> = {};
        let expectedOk = 0;
        for (const body of payloads) {
          const verdict = decodePayload(typeof body === 'string' ? body : body.toString('utf8'), {
            source: topic,
            sensors,
            receivedAt: 0,
          });
          if (verdict.ok) expectedOk += 1;
          else expected[verdict.reason] = (expected[verdict.reason] ?? 0) + 1;
          await publisher.publishAsync(topic, body, { qos: 1 });
        }
        published += payloads.length;
        await waitFor(
          () => source.stats().received === published && source.stats().pending === 0,
          5_000,
          () => `${published} messages received (${JSON.stringify(source.stats())})`,
        );
        const after = source.stats();
        const delta: Record<string, number> = {};
        for (const [reason, n] of Object.entries(after.rejected)) {
          const d = n - (before.rejected[reason] ?? 0);
          if (d > 0) delta[reason] = d;
        }
        expect(delta).toEqual(expected);
        expect(Object.keys(after.rejected).every((r) => (REASONS as readonly string[]).includes(r))).toBe(
          true,
        );
        expect(after.accepted - before.accepted).toBe(expectedOk);
        expect(accepted.length - acceptedBefore).toBe(expectedOk);
        expect(after.received).toBe(
          after.accepted + sum(after.rejected) + sum(after.dropped) + after.pending,
        );
      }),
      { numRuns: 25 },
    );
    for (const r of accepted) {
      expect(Number.isFinite(r.value) && Number.isFinite(r.time)).toBe(true);
      expect(r.sensor_id).toBe('CUR-001');
    }
    await source.close();
    await consumer;
  });

  it('drops the oldest waiting readings when the consumer falls behind by maxQueued, and counts them', async () => {
    const p = root();
    const topic = `${p}/production/line1/machine/status/health`;
    const sensors = defineSensors([{ id: 'H', source: topic, unit: '1' }]);
    const source = mqttSource({ url: MOSQUITTO, sensors, maxQueued: 10 });
    await source.start();
    for (let i = 0; i < 50; i++)
      await publisher.publishAsync(topic, JSON.stringify(reading(topic, 'H', i, i, '1')), { qos: 1 });
    await waitFor(() => source.stats().received === 50, 5_000, '50 messages');
    expect(source.stats()).toMatchObject({
      received: 50,
      accepted: 0,
      pending: 10,
      dropped: { queue_full: 40 },
    });
    const { readings, done } = collect(source, 10);
    await done;
    expect(readings.map((r) => r.seq)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    // Queue drops are the source's own: they are not seq gaps (those are losses before the source).
    expect(source.stats()).toMatchObject({ received: 50, accepted: 10, pending: 0, seqGaps: 0 });
  });
});

describe('mqttSource credentials (aedes with a password)', () => {
  const PASSWORD = 'pw-S3cr3t!x';
  let guarded: EmbeddedBroker;
  beforeAll(async () => {
    guarded = await startEmbeddedBroker({ authenticate: (u, pw) => u === 'twin' && pw === PASSWORD });
  });
  afterAll(async () => {
    await guarded.close();
  });
  const leaks = (text: string) => text.includes(PASSWORD) || text.includes('wrong-Pa55');

  it('logs in with credentials from the environment; the password is nowhere in name or stats', async () => {
    const saved = { ...process.env };
    process.env.TWINKIT_MQTT_URL = guarded.url;
    process.env.TWINKIT_MQTT_USERNAME = 'twin';
    process.env.TWINKIT_MQTT_PASSWORD = PASSWORD;
    try {
      const p = root();
      const topic = `${p}/a/b/status/health`;
      const source = mqttSource({ sensors: defineSensors([{ id: 'H', source: topic, unit: '1' }]) });
      await source.start();
      const sink = mqttSink({ url: `mqtt://twin:${encodeURIComponent(PASSWORD)}@127.0.0.1:${guarded.port}` });
      const { readings, done } = collect(source, 1);
      await sink.write({ kind: 'reading', reading: reading(topic, 'H', 1, 0, '1') });
      await done;
      expect(readings).toHaveLength(1);
      for (const text of [
        source.name,
        JSON.stringify(source.stats()),
        sink.name,
        JSON.stringify(sink.stats()),
      ])
        expect(leaks(text)).toBe(false);
      await sink.close();
    } finally {
      process.env = saved;
    }
  });

  it('fails start() with a clear error on a refused login or an unreachable broker, without the password', async () => {
    const source = mqttSource({ url: `mqtt://twin:wrong-Pa55@127.0.0.1:${guarded.port}`, topics: ['a/#'] });
    const error = await source.start().then(
      () => undefined,
      (e: unknown) => e as Error & { details?: unknown },
    );
    expect(error?.message).toMatch(
      /refused the connection: .*Bad username or password.*Check the username and password/i,
    );
    const unreachable = mqttSource({
      url: 'mqtt://127.0.0.1:1',
      password: PASSWORD,
      username: 'twin',
      topics: ['a/#'],
      startTimeoutMs: 300,
      reconnect: { initialMs: 50 },
    });
    const error2 = await unreachable.start().then(
      () => undefined,
      (e: unknown) => e as Error & { details?: unknown },
    );
    expect(error2?.message).toMatch(
      /could not connect to mqtt:\/\/127.0.0.1:1 within startTimeoutMs 300 \(last error: .*ECONNREFUSED/,
    );
    let parseError: (Error & { details?: unknown }) | undefined;
    try {
      mqttSource({ url: `mqtt://twin:${PASSWORD}@127.0.0.1:x`, topics: ['a'] });
    } catch (e) {
      parseError = e as Error & { details?: unknown };
    }
    expect(parseError?.message).toMatch(/url must be a URL.*\*\*\*@/);
    for (const e of [error, error2, parseError]) {
      expect(e).toBeDefined();
      expect(leaks(`${e?.message} ${JSON.stringify(e?.details)} ${String(e?.cause)}`)).toBe(false);
    }
    expect(leaks(source.name + JSON.stringify(source.stats()) + unreachable.name)).toBe(false);
    expect(source.name).toBe(`mqtt mqtt://127.0.0.1:${guarded.port}`);
  });
});
