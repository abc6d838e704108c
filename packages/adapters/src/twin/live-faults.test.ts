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
