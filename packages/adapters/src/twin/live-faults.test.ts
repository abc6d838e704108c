import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireService } from '../../test-support/services';
import { startTcpProxy, type TcpProxy } from '../../test-support/tcp-proxy';
import { wearingMachine } from '../../test-support/twin-models';
import { sleep, waitFor } from '../../test-support/wait-for';
import { mqttSink, mqttSource } from '../mqtt';
import { defineSensors } from '../sensors';
import { createTwin } from './create-twin';
import type { TwinState } from './types';

beforeAll(() => requireService('mosquitto'));

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const FAST = { initialMs: 100, maxMs: 300 };
let proxy: TcpProxy;
let publisher: MqttClient;
let watcher: MqttClient;

beforeAll(async () => {
  proxy = await startTcpProxy({ targetPort: 1883 });
  publisher = await connectAsync(MOSQUITTO);
  watcher = await connectAsync(MOSQUITTO);
});
afterAll(async () => {
  await publisher?.endAsync();
  await watcher?.endAsync();
  await proxy?.close();
});

describe('createTwin on a live MQTT link that is cut and restored', () => {
  it('marks the sensor stale and lets the uncertainty grow while the link is down, then shrinks it again', async () => {
    const p = `tk${randomBytes(4).toString('hex')}`;
    const topic = `${p}/production/line1/m1/telemetry/health`;
    const sensors = defineSensors([
      { id: 'HLT-001', source: topic, unit: '1', range: [0, 200], asset: 'M1' },
    ]);
    const states: TwinState[] = [];
    const events: string[] = [];
    await watcher.subscribeAsync([`${p}/simulation/state/sync`, `${p}/production/line1/m1/status/events`], {
      qos: 1,
    });
    watcher.on('message', (t, payload) => {
      if (!t.startsWith(p)) return;
      const body = JSON.parse(payload.toString()) as Record<string, unknown>;
      if (t.endsWith('/state/sync')) states.push(body as unknown as TwinState);
      else events.push(String(body.event_type));
    });
    const twin = createTwin({
      model: wearingMachine,
      params: { initial: 100, wearRate: 0, wearNoise: 0 },
      sources: [
        mqttSource({ url: proxy.url, sensors, keepaliveSeconds: 1, connectTimeoutMs: 1000, reconnect: FAST }),
      ],
      quality: {
        sensors,
        monotonic: { reorderWindowMs: 100 },
        heartbeat: { limitMs: 400, clock: 'wall', checkEveryMs: 50 },
      },
      sinks: [mqttSink({ url: MOSQUITTO, statusTopic: false })],
      clock: 'wall', // stays 350 ms behind: the reorder window and 250 ms
      time: { unitMs: 1000 },
      publish: { root: p, stateEveryS: 0.2 },
      assimilate: {
        assets: {
          M1: { state: ['M1.health'], Q: [[4]], sensors: { 'HLT-001': { h: (x) => [x[0]!], R: 0.5 } } },
        },
        drift: false,
      },
    });
    await twin.start();
    let publishing = true;
    const pump = (async () => {
      while (publishing) {
        const now = Date.now();
        await publisher.publishAsync(
          topic,
          JSON.stringify({
            timestamp: new Date(now).toISOString(),
            value: 100,
            unit: '1',
            quality: 'good',
            sensor_id: 'HLT-001',
          }),
        );
        await sleep(20);
      }
    })();
    const sd = () => twin.state().assets.M1!.variables['M1.health']!.sd;
    const stale = () => twin.state().assets.M1!.stale;
    try {
      await waitFor(
        () => twin.stats().readings.assimilated >= 20,
        5000,
        () => JSON.stringify(twin.stats(), null, 1),
      );
      const before = sd();
      expect(stale()).toBe(false);
      expect(before).toBeLessThan(0.4);

      proxy.cut();
      await waitFor(stale, 5000, 'the heartbeat rule to mark the sensor stale');
      const s1 = sd();
      const t1 = twin.sim.now;
      await sleep(600);
      // The simulation goes on by the wall clock, and the filter's variance grows by Q per second.
      const s2 = sd();
      expect(twin.sim.now - t1).toBeGreaterThan(0.4);
      expect(s2).toBeGreaterThan(s1);
      expect(s2 * s2 - s1 * s1).toBeCloseTo(4 * (twin.sim.now - t1), 0);
      expect(events).toContain('sensor_stale');

      proxy.restore();
      await waitFor(() => !stale() && sd() < 0.4, 10_000, 'the link back and the sensor fresh');
      await waitFor(() => states.some((s) => s.assets.M1?.stale === true), 2000, 'a published stale state');
      expect(states.at(-1)!.assets.M1!.stale).toBe(false);
      const s = twin.stats();
      expect(Object.values(s.sources)[0]!.stats.reconnects).toBeGreaterThanOrEqual(1);
      expect(s.errors.count).toBe(0);
    } finally {
      publishing = false;
      await pump;
      await twin.stop();
    }
  }, 30_000);
});

describe('twin.command over MQTT', () => {
  it("publishes on the asset's command topic at QoS 2, and KPIs on <root>/simulation/kpis", async () => {
    const p = `tk${randomBytes(4).toString('hex')}`;
    const sensors = defineSensors([
      { id: 'HLT-001', source: `${p}/production/line1/m1/telemetry/health`, unit: '1', asset: 'M1' },
    ]);
    const got: { topic: string; qos: number; body: Record<string, unknown> }[] = [];
    await watcher.subscribeAsync([`${p}/production/line1/m1/command/#`, `${p}/simulation/kpis`], { qos: 2 });
    watcher.on('message', (topic, payload, packet) => {
      if (topic.startsWith(p)) got.push({ topic, qos: packet.qos, body: JSON.parse(payload.toString()) });
    });
    const twin = createTwin({
      model: wearingMachine,
      params: { initial: 100, wearRate: 1, wearNoise: 0 },
      sources: [mqttSource({ url: MOSQUITTO, sensors })],
      quality: { sensors },
      sinks: [mqttSink({ url: MOSQUITTO, statusTopic: false })],
      clock: { mode: 'wall', speed: 100 },
      publish: { root: p, kpisEveryS: 10 },
      kpis: (sim) => ({ health: sim.model.health() }),
    });
    await twin.start();
    try {
      await twin.command('M1', 'maintenance', { window: 'next-shift' });
      await waitFor(() => got.some((m) => m.topic.endsWith('/command/maintenance')), 5000, 'the command');
      const command = got.find((m) => m.topic.endsWith('/command/maintenance'))!;
      expect(command.topic).toBe(`${p}/production/line1/m1/command/maintenance`);
      expect(command.qos).toBe(2);
      expect(command.body).toMatchObject({ action: 'maintenance', asset: 'M1', window: 'next-shift' });
      expect(twin.stats().published.commands).toBe(1);
      // At 100× a KPI period of 10 s is 0.1 s of wall time.
      await waitFor(() => got.filter((m) => m.topic.endsWith('/kpis')).length >= 2, 5000, 'KPIs');
      const kpis = got
        .filter((m) => m.topic.endsWith('/kpis'))
        .map((m) => m.body as { kpis: { health: number } });
      expect(kpis[1]!.kpis.health).toBeLessThan(kpis[0]!.kpis.health);
      expect(twin.kpiHistory().length).toBeGreaterThanOrEqual(2);
    } finally {
      await twin.stop();
    }
  }, 20_000);
});
