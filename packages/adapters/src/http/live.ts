/**
 * The live feed of `/v1/live`: one subscription to the twin's updates while any client is
 * connected, fanned out to each client by its channels and assets. A slow client never holds the
 * twin up: past its send buffer's bound, messages to it are dropped and counted.
 */
import { closestMatch } from '@twinkit/core/internal';
import type { WebSocket } from 'ws';
import type { Reading, TwinEvent } from '../reading';
import type { Twin, TwinAsset, TwinState, TwinUpdate } from '../twin/types';
import type { Principal } from './auth';
import type { ServiceMetrics } from './metrics';

/** The channels a client of `/v1/live` may subscribe to. */
export type LiveChannel = 'telemetry' | 'state' | 'events' | 'scenarios' | 'kpis';

/** The channels, in the order they are listed. */
export const LIVE_CHANNELS: readonly LiveChannel[] = ['telemetry', 'state', 'events', 'scenarios', 'kpis'];

/** Options of the live feed (`serveTwin({ live })`). */
export interface LiveOptions {
  /** Clients connected at most; one more is closed with code 1013 (default 100). */
  readonly maxClients?: number;
  /** Bytes a client's socket may hold unsent before messages to it are dropped (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** Milliseconds between pings; a client that did not answer the last one is cut (default 30,000). */
  readonly pingIntervalMs?: number;
}

/** Resolved live options. */
export interface LiveSettings {
  readonly maxClients: number;
  readonly maxBufferedBytes: number;
  readonly pingIntervalMs: number;
}

/** Close codes of the live feed. */
export const CLOSE = {
  /** The service is closing. */
  goingAway: 1001,
  /** Too many clients. */
  tryAgainLater: 1013,
  /** The token expired while connected. */
  unauthorized: 4401,
} as const;

interface Client {
  readonly socket: WebSocket;
  readonly principal: Principal;
  /** null: not subscribed yet (nothing is sent but replies). */
  channels: Set<LiveChannel> | null;
  /** null: every asset. */
  assets: Set<string> | null;
  /** Messages dropped since the last one sent. */
  dropped: number;
  alive: boolean;
  expiry: NodeJS.Timeout | undefined;
}

type Wire = { readonly type: string; readonly topic?: string; readonly data: unknown };

/** The fan-out of the twin's updates to the WebSocket clients. */
export class LiveFeed {
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | undefined;
  private sensorAsset = new Map<string, string>();
  private assetsById = new Map<string, TwinAsset>();
  private readonly ping: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly twin: Twin<unknown, unknown>,
    private readonly metrics: ServiceMetrics,
    private readonly settings: LiveSettings,
    private readonly root: string,
  ) {
    this.refreshAssets();
    this.ping = setInterval(() => this.heartbeat(), settings.pingIntervalMs);
    this.ping.unref();
  }

  /** Clients connected now. */
  get size(): number {
    return this.clients.size;
  }

  /** Takes a client whose token was verified at the upgrade. */
  attach(socket: WebSocket, principal: Principal): void {
    if (this.closed) {
      socket.close(CLOSE.goingAway, 'the service is closing');
      return;
    }
    if (this.clients.size >= this.settings.maxClients) {
      socket.close(CLOSE.tryAgainLater, `too many clients (${this.settings.maxClients})`);
      return;
    }
    const client: Client = {
      socket,
      principal,
      channels: null,
      assets: null,
      dropped: 0,
      alive: true,
      expiry: undefined,
    };
    if (principal.expiresAt !== undefined) {
      // Timers hold at most 2^31 - 1 ms (24.8 days): a longer token is re-checked then.
      const arm = () => {
        const left = (principal.expiresAt as number) - Date.now();
        if (left <= 0) socket.close(CLOSE.unauthorized, 'the token has expired');
        else client.expiry = setTimeout(arm, Math.min(left, 2 ** 31 - 1));
      };
      arm();
    }
    this.clients.add(client);
    this.metrics.liveClients.set(this.clients.size);
    if (this.unsubscribe === undefined)
      this.unsubscribe = this.twin.events.subscribe((u) => this.onUpdate(u));
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    socket.on('close', () => this.detach(client));
    socket.on('error', () => socket.terminate());
    this.send(client, {
      type: 'welcome',
      data: {
        subject: principal.subject,
        role: principal.role,
        channels: LIVE_CHANNELS,
        assets: [...this.assetsById.keys()],
      },
    });
  }

  /** Closes every client (code 1001) and leaves the twin's updates. */
  close(): void {
    this.closed = true;
    clearInterval(this.ping);
    for (const client of [...this.clients]) {
      client.socket.close(CLOSE.goingAway, 'the service is closing');
      this.detach(client);
    }
  }

  private detach(client: Client): void {
    if (!this.clients.delete(client)) return;
    clearTimeout(client.expiry);
    this.metrics.liveClients.set(this.clients.size);
    if (this.clients.size === 0 && this.unsubscribe !== undefined) {
      this.unsubscribe();
      this.unsubscribe = undefined;
    }
  }

  private heartbeat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        this.detach(client);
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  private onMessage(client: Client, data: unknown, isBinary: boolean): void {
    this.send(client, this.answer(client, data, isBinary));
  }

  /** Applies a client's message; returns the reply. */
  private answer(client: Client, data: unknown, isBinary: boolean): Wire {
    const fail = (message: string): Wire => ({ type: 'error', data: { message } });
    if (isBinary) return fail('send text messages of JSON, e.g. {"type":"subscribe","channels":["state"]}');
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch {
      return fail('the message is not JSON; send {"type":"subscribe","channels":["state"]}');
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg))
      return fail('the message must be a JSON object with a type');
    const m = msg as Record<string, unknown>;
    if (m.type === 'unsubscribe') {
      client.channels = null;
      client.assets = null;
      return { type: 'unsubscribed', data: {} };
    }
    if (m.type !== 'subscribe')
      return fail(
        `unknown message type ${JSON.stringify(m.type ?? null)}; the types are subscribe and unsubscribe`,
      );
    for (const key of Object.keys(m))
      if (key !== 'type' && key !== 'channels' && key !== 'assets') {
        const near = closestMatch(key, ['channels', 'assets']);
        return fail(
          `subscribe has no key '${key}'${near ? ` (did you mean '${near}'?)` : ''}; it takes type, channels and assets`,
        );
      }
    let channels: Set<LiveChannel>;
    if (m.channels === undefined) channels = new Set(LIVE_CHANNELS);
    else if (!Array.isArray(m.channels) || m.channels.length === 0)
      return fail(`channels must be a non-empty array of ${LIVE_CHANNELS.join(', ')}`);
    else {
      channels = new Set();
      for (const c of m.channels) {
        if (!(LIVE_CHANNELS as readonly unknown[]).includes(c)) {
          const near = typeof c === 'string' ? closestMatch(c, LIVE_CHANNELS) : undefined;
          return fail(
            `unknown channel ${JSON.stringify(c)}${near ? ` (did you mean '${near}'?)` : ''}; the channels are ${LIVE_CHANNELS.join(', ')}`,
          );
        }
        channels.add(c as LiveChannel);
      }
    }
    let assets: Set<string> | null = null;
    if (m.assets !== undefined) {
      if (!Array.isArray(m.assets) || m.assets.length === 0)
        return fail('assets must be a non-empty array of asset ids (omit it for every asset)');
      this.refreshAssets();
      assets = new Set();
      for (const a of m.assets) {
        if (typeof a !== 'string' || !this.assetsById.has(a)) {
          const known = [...this.assetsById.keys()];
          const near = typeof a === 'string' ? closestMatch(a, known) : undefined;
          return fail(
            `unknown asset ${JSON.stringify(a)}${near ? ` (did you mean '${near}'?)` : ''}; the assets are ${known.join(', ') || 'none'}`,
          );
        }
        assets.add(a);
      }
    }
    client.channels = channels;
    client.assets = assets;
    return {
      type: 'subscribed',
      data: { channels: [...channels], assets: assets === null ? null : [...assets] },
    };
  }

  private onUpdate(update: TwinUpdate): void {
    switch (update.type) {
      case 'telemetry':
        this.fanOut('telemetry', this.assetOfSensor(update.reading.sensor_id), () =>
          telemetryMessage(update.reading),
        );
        return;
      case 'state':
        this.fanOutState(update.state);
        return;
      case 'kpis':
        this.fanOut('kpis', undefined, () => ({
          type: 'kpi_update',
          topic: `${this.root}/simulation/kpis`,
          data: { time: update.time, kpis: update.kpis },
        }));
        return;
      case 'event': {
        const asset = this.assetOfEvent(update.event);
        this.fanOut('events', asset, () => this.eventMessage(update.event, asset));
        return;
      }
      case 'scenario':
        this.fanOut('scenarios', undefined, () => ({
          type: 'scenario_result',
          topic: `${this.root}/simulation/predictions/scenarios`,
          data: update.result,
        }));
    }
  }

  /** Sends one message to every client on `channel` that follows `asset` (undefined: not an asset's, to all). */
  private fanOut(channel: LiveChannel, asset: string | undefined, make: () => Wire): void {
    let text: string | undefined;
    for (const client of this.clients) {
      if (client.channels === null || !client.channels.has(channel)) continue;
      if (asset !== undefined && client.assets !== null && !client.assets.has(asset)) continue;
      if (asset === undefined && client.assets !== null && channel === 'telemetry') continue;
      text ??= JSON.stringify(make());
      this.sendText(client, text);
    }
  }

  /** The state, cut to each client's assets. */
  private fanOutState(state: TwinState): void {
    const topic = `${this.root}/simulation/state/sync`;
    let whole: string | undefined;
    for (const client of this.clients) {
      if (client.channels === null || !client.channels.has('state')) continue;
      if (client.assets === null) {
        whole ??= JSON.stringify({ type: 'state_update', topic, data: state });
        this.sendText(client, whole);
      } else {
        const assets: Record<string, TwinState['assets'][string]> = {};
        for (const id of client.assets) {
          const a = state.assets[id];
          if (a !== undefined) assets[id] = a;
        }
        this.sendText(client, JSON.stringify({ type: 'state_update', topic, data: { ...state, assets } }));
      }
    }
  }

  private send(client: Client, message: Wire): void {
    this.sendText(client, JSON.stringify(message));
  }

  private sendText(client: Client, text: string): void {
    const socket = client.socket;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount + text.length > this.settings.maxBufferedBytes) {
      client.dropped += 1;
      this.metrics.liveDropped.inc();
      return;
    }
    if (client.dropped > 0) {
      socket.send(JSON.stringify({ type: 'dropped', data: { count: client.dropped } }));
      this.metrics.liveSent.inc();
      client.dropped = 0;
    }
    socket.send(text);
    this.metrics.liveSent.inc();
  }

  private refreshAssets(): void {
    const assets = this.twin.assets();
    this.assetsById = new Map(assets.map((a) => [a.id, a]));
    this.sensorAsset = new Map(assets.flatMap((a) => a.sensors.map((s) => [s.id, a.id] as const)));
  }

  private assetOfSensor(sensor: string): string | undefined {
    return this.sensorAsset.get(sensor);
  }

  private assetOfEvent(event: TwinEvent): string | undefined {
    return this.assetsById.has(event.source) ? event.source : this.sensorAsset.get(event.source);
  }

  private eventMessage(event: TwinEvent, asset: string | undefined): Wire {
    const a = asset === undefined ? undefined : this.assetsById.get(asset);
    const topic =
      a === undefined
        ? `${this.root}/simulation/events`
        : `${a.topic ?? `${this.root}/${a.id}`}/status/events`;
    return { type: 'event', topic, data: event };
  }
}

function telemetryMessage(r: Reading): Wire {
  return {
    type: 'telemetry_update',
    topic: r.source,
    data: {
      timestamp: r.timestamp,
      value: r.value,
      unit: r.unit,
      quality: r.quality,
      sensor_id: r.sensor_id,
    },
  };
}
