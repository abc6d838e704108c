import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  at,
  makeTokens,
  SECRET,
  type ServiceTwin,
  startTwin,
  type Tokens,
} from '../../test-support/service-twin';
import { sleep, waitFor } from '../../test-support/wait-for';
import { serveTwin, signToken, type TwinService } from './index';
import { LiveFeed } from './live';
import { ServiceMetrics } from './metrics';

let fixture: ServiceTwin;
let service: TwinService;
let tokens: Tokens;
/** Seconds after T0 of the next reading the tests push (the twin's clock only goes forward). */
let clock = 0;

interface Message {
  type: string;
  topic?: string;
  data: Record<string, unknown>;
}

/** A connected client that keeps every message it gets. */
class Client {
  readonly messages: Message[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data))));
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
    });
  }

  static open(
    url: string,
    options: { protocols?: string[]; headers?: Record<string, string> } = {},
  ): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
      const client = new Client(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (req, res) => {
        req.destroy();
        reject(new Error(`HTTP ${res.statusCode}`));
      });
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  async next(type: string, timeoutMs = 5000): Promise<Message> {
    const find = () => this.messages.find((m) => m.type === type);
    await waitFor(() => find() !== undefined, timeoutMs, `a ${type} message`);
    return find() as Message;
  }

  of(type: string): Message[] {
    return this.messages.filter((m) => m.type === type);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

const live = (query = '') => `ws://127.0.0.1:${service.port}/v1/live${query}`;

/** Pushes `seconds` of readings of the three sensors and waits until the twin has them. */
async function feed(seconds: number): Promise<void> {
  const target = fixture.twin.stats().readings.received + seconds * 3;
  for (let i = 0; i < seconds; i++, clock++)
    fixture.source.push(
      at('HEALTH-001', clock, 100 - clock / 100),
      at('TEMP-001', clock, 70),
      at('TEMP-002', clock, 40),
    );
  await waitFor(() => fixture.twin.stats().readings.received >= target, 5000, `${target} readings`);
}

beforeAll(async () => {
  fixture = await startTwin();
  tokens = await makeTokens(signToken);
  service = await serveTwin(fixture.twin, { port: 0, auth: { secret: SECRET } });
});

afterAll(async () => {
  await service?.close();
  await fixture?.twin.stop();
});

describe('serveTwin: /v1/live', () => {
  it('refuses an upgrade without a valid token with 401', async () => {
    await expect(Client.open(live())).rejects.toThrow('HTTP 401');
    await expect(Client.open(live(`?token=${tokens.bad}`))).rejects.toThrow('HTTP 401');
    await expect(Client.open(live(`?token=${tokens.expired}`))).rejects.toThrow('HTTP 401');
    await expect(Client.open(live('?token=not-a-jwt'))).rejects.toThrow('HTTP 401');
    await expect(Client.open(live(`?token=${tokens.viewer}`))).rejects.toThrow('HTTP 403');
    await expect(Client.open(live(), { protocols: ['bearer', tokens.bad] })).rejects.toThrow('HTTP 401');
  });

  it('greets a client and sends nothing else until it subscribes', async () => {
    const c = await Client.open(live(`?token=${tokens.operator}`));
    try {
      const welcome = await c.next('welcome');
      expect(welcome.data).toEqual({
        subject: 'olga',
        role: 'operator',
        channels: ['telemetry', 'state', 'events', 'scenarios', 'kpis'],
        assets: ['M1', 'M2'],
      });
      await feed(3);
      await sleep(50);
      expect(c.messages.map((m) => m.type)).toEqual(['welcome']);
    } finally {
      await c.close();
    }
  });

  it('sends the telemetry of the subscribed assets only, in the design-document format', async () => {
    const c = await Client.open(live(`?token=${tokens.operator}`));
    try {
      c.send({ type: 'subscribe', channels: ['telemetry'], assets: ['M2'] });
      expect((await c.next('subscribed')).data).toEqual({ channels: ['telemetry'], assets: ['M2'] });
      const from = clock;
      await feed(3);
      await waitFor(() => c.of('telemetry_update').length >= 3, 5000, '3 telemetry updates');
      await sleep(50);
      const updates = c.of('telemetry_update');
      expect(updates).toHaveLength(3);
      expect(updates[0]).toEqual({
        type: 'telemetry_update',
        topic: 'factory/production/line1/machine2/telemetry/temperature',
        data: {
          timestamp: new Date(Date.UTC(2024, 0, 15, 10) + from * 1000).toISOString(),
          value: 40,
          unit: 'degC',
          quality: 'good',
          sensor_id: 'TEMP-002',
        },
      });
      expect(c.messages.every((m) => m.type !== 'state_update' && m.type !== 'kpi_update')).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('sends state and KPI updates on their channels, the state cut to the subscribed assets', async () => {
    const all = await Client.open(live(), { headers: { authorization: `Bearer ${tokens.engineer}` } });
    const m1 = await Client.open(live(), { protocols: ['bearer', tokens.admin] });
    try {
      expect(m1.ws.protocol).toBe('bearer');
      all.send({ type: 'subscribe', channels: ['state', 'kpis'] });
      m1.send({ type: 'subscribe', channels: ['state'], assets: ['M1'] });
      await all.next('subscribed');
      await m1.next('subscribed');
      await feed(12);
      const state = await all.next('state_update');
      expect(state.topic).toBe('factory/simulation/state/sync');
      expect(Object.keys(state.data.assets as object)).toEqual(['M1', 'M2']);
      expect(state.data.timestamp).toMatch(/^2024-01-15T10:00:\d\d\.000Z$/);
      const kpi = await all.next('kpi_update');
      expect(kpi.topic).toBe('factory/simulation/kpis');
      expect(Object.keys(kpi.data.kpis as object)).toEqual(['health', 'ticks']);
      const cut = await m1.next('state_update');
      expect(Object.keys(cut.data.assets as object)).toEqual(['M1']);
      expect(m1.of('kpi_update')).toHaveLength(0);
      expect(all.of('telemetry_update')).toHaveLength(0);
    } finally {
      await all.close();
      await m1.close();
    }
  });

  it('sends events and scenario results', async () => {
    const c = await Client.open(live(`?token=${tokens.operator}`));
    try {
      c.send({ type: 'subscribe', channels: ['events', 'scenarios'] });
      await c.next('subscribed');
      fixture.source.emit({
        event_id: 'evt_test_1',
        timestamp: '2024-01-15T10:00:00.000Z',
        event_type: 'source_disconnected',
        severity: 'warning',
        source: 'TEMP-002',
        details: { reason: 'test' },
      });
      const event = await c.next('event');
      expect(event).toEqual({
        type: 'event',
        topic: 'factory/production/line1/machine2/status/events',
        data: {
          event_id: 'evt_test_1',
          timestamp: '2024-01-15T10:00:00.000Z',
          event_type: 'source_disconnected',
          severity: 'warning',
          source: 'TEMP-002',
          details: { reason: 'test' },
        },
      });
      const job = fixture.twin.scenario({ params: { wearRate: 0.02 }, horizonH: 0.01, replications: 2 });
      const result = await c.next('scenario_result', 50_000);
      expect(result.topic).toBe('factory/simulation/predictions/scenarios');
      expect(result.data.id).toBe(job.id);
    } finally {
      await c.close();
    }
  });

  it('answers a bad message with an error and stays open', async () => {
    const c = await Client.open(live(`?token=${tokens.operator}`));
    try {
      const errors: [unknown, string][] = [
        [
          { type: 'subscribe', channels: ['telemetri'] },
          'unknown channel "telemetri" (did you mean \'telemetry\'?)',
        ],
        [
          { type: 'subscribe', assets: ['M9'] },
          'unknown asset "M9" (did you mean \'M1\'?); the assets are M1, M2',
        ],
        [
          { type: 'subscribe', channel: ['state'] },
          "subscribe has no key 'channel' (did you mean 'channels'?)",
        ],
        [{ type: 'subscribe', channels: [] }, 'channels must be a non-empty array'],
        [{ type: 'hello' }, 'unknown message type "hello"'],
        [[1, 2], 'must be a JSON object'],
      ];
      for (const [message, text] of errors) {
        const before = c.of('error').length;
        c.send(message);
        await waitFor(() => c.of('error').length > before, 5000, 'an error message');
        expect(c.of('error').at(-1)?.data.message).toContain(text);
      }
      c.ws.send('{not json');
      await waitFor(() => c.of('error').length === errors.length + 1, 5000, 'an error message');
      expect(c.of('error').at(-1)?.data.message).toContain('not JSON');
      expect(c.ws.readyState).toBe(WebSocket.OPEN);
      c.send({ type: 'subscribe' });
      expect((await c.next('subscribed')).data.assets).toBeNull();
      c.send({ type: 'unsubscribe' });
      await c.next('unsubscribed');
    } finally {
      await c.close();
    }
  });

  it('closes with 4401 when the token expires', async () => {
    const short = await signToken({ subject: 'olga', role: 'operator', secret: SECRET, expiresIn: 1 });
    const c = await Client.open(live(`?token=${short}`));
    await waitFor(() => c.closed !== undefined, 5000, 'the close');
    expect(c.closed).toEqual({ code: 4401, reason: 'the token has expired' });
  });

  it('counts its clients, and leaves the twin when the last one goes', async () => {
    const a = await Client.open(live(`?token=${tokens.operator}`));
    const b = await Client.open(live(`?token=${tokens.operator}`));
    const metric = async () => {
      const res = await service.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${tokens.engineer}` },
      });
      return Number(/^twinkit_live_clients (\d+)$/m.exec(res.body)?.[1]);
    };
    expect(await metric()).toBe(2);
    await a.close();
    await b.close();
    await sleep(50);
    expect(await metric()).toBe(0);
  });

  it('closes its clients with 1001 when the service closes', async () => {
    const s = await serveTwin(fixture.twin, { port: 0, auth: { secret: SECRET } });
    const c = await Client.open(`ws://127.0.0.1:${s.port}/v1/live?token=${tokens.operator}`);
    await s.close();
    await waitFor(() => c.closed !== undefined, 5000, 'the close');
    expect(c.closed?.code).toBe(1001);
  });

  it('limits the clients', async () => {
    const s = await serveTwin(fixture.twin, { port: 0, auth: { secret: SECRET }, live: { maxClients: 1 } });
    try {
      const url = `ws://127.0.0.1:${s.port}/v1/live?token=${tokens.operator}`;
      const first = await Client.open(url);
      const second = await Client.open(url);
      await waitFor(() => second.closed !== undefined, 5000, 'the close');
      expect(second.closed).toEqual({ code: 1013, reason: 'too many clients (1)' });
      await first.close();
    } finally {
      await s.close();
    }
  });
});

/** A socket whose send buffer the test fills and drains. */
class SlowSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
    this.bufferedAmount += text.length;
  }
  close(): void {
    this.readyState = 3;
    this.emit('close');
  }
  ping(): void {}
  terminate(): void {
    this.close();
  }
}

describe('LiveFeed: a slow client', () => {
  it('drops what does not fit its send buffer, counts it, tells it, and never blocks the twin', async () => {
    const metrics = new ServiceMetrics();
    const liveFeed = new LiveFeed(
      fixture.twin as never,
      metrics,
      { maxClients: 10, maxBufferedBytes: 2048, pingIntervalMs: 60_000 },
      'factory',
    );
    const slow = new SlowSocket();
    const fast = new SlowSocket();
    liveFeed.attach(slow as never, { subject: 's', role: 'operator', expiresAt: undefined });
    liveFeed.attach(fast as never, { subject: 'f', role: 'operator', expiresAt: undefined });
    for (const s of [slow, fast])
      s.emit('message', Buffer.from('{"type":"subscribe","channels":["telemetry"]}'), false);
    fast.send = function (text: string) {
      this.sent.push(text); // drains at once
    };
    const t0 = performance.now();
    await feed(100);
    const elapsed = performance.now() - t0;
    const slowUpdates = slow.sent.filter((t) => t.includes('telemetry_update')).length;
    const fastUpdates = fast.sent.filter((t) => t.includes('telemetry_update')).length;
    expect(fastUpdates).toBe(300);
    expect(slowUpdates).toBeGreaterThan(0);
    expect(slowUpdates).toBeLessThan(20);
    const dropped = 300 - slowUpdates;
    const text = await metrics.registry.metrics();
    expect(text).toContain(`twinkit_live_messages_dropped_total ${dropped}`);
    // The buffer drains; the next message is preceded by how many were lost.
    slow.bufferedAmount = 0;
    await feed(1);
    // A shorter message may fit where a longer one did not: the notices add up to what was dropped.
    const notices = slow.sent.filter((t) => t.includes('"dropped"')).map((t) => JSON.parse(t));
    expect(notices.every((n) => n.type === 'dropped' && n.data.count > 0)).toBe(true);
    expect(notices.reduce((sum, n) => sum + n.data.count, 0)).toBe(dropped);
    expect(elapsed).toBeLessThan(5000);
    liveFeed.close();
    expect(slow.readyState).toBe(3);
  });
});
