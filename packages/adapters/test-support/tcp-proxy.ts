/**
 * A TCP proxy for fault tests: it forwards 127.0.0.1:<random port> to a real peer (a broker, a
 * Modbus server) and can cut the link (destroy every connection and refuse new ones for a while) or
 * stall it (stop forwarding bytes without closing, as a dead route does). Test support only: not
 * under src/, so it is not shipped. Written by hand because no kept library offers fault injection
 * on a live TCP link in a few lines; node:net does the forwarding.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** Options of {@link startTcpProxy}. */
export interface TcpProxyOptions {
  /** The port of the peer to forward to. */
  readonly targetPort: number;
  /** The host of the peer; default 127.0.0.1. */
  readonly targetHost?: string;
}

/** A running proxy. */
export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>`, for MQTT clients. */
  readonly url: string;
  /** How many client connections the proxy accepted and forwarded so far. */
  readonly accepted: number;
  /** How many connections it refused while cut. */
  readonly refused: number;
  /** How many links are open now. */
  readonly open: number;
  /**
   * Destroys every open link and refuses (resets) new connections for `ms` milliseconds, or until
   * {@link TcpProxy.restore} when `ms` is omitted.
   */
  cut(ms?: number): void;
  /** Ends a cut early (or the endless one): new connections are forwarded again. */
  restore(): void;
  /** Stops forwarding bytes in both directions on every link, without closing anything. */
  stall(): void;
  /** Forwards the bytes held back by {@link TcpProxy.stall} and goes on forwarding. */
  resume(): void;
  /** Destroys every link and stops listening. */
  close(): Promise<void>;
}

interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
}

/**
 * Starts a proxy on 127.0.0.1 and a random port that forwards to `targetHost:targetPort`.
 *
 * @example
 * ```ts
 * const proxy = await startTcpProxy({ targetPort: 1883 });
 * const source = mqttSource({ url: proxy.url, ... });
 * proxy.cut(2000); // the link is down for 2 s
 * await proxy.close();
 * ```
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const links = new Set<Link>();
  let cutUntil = 0; // epoch ms; Infinity for a cut until restore()
  let cutTimer: NodeJS.Timeout | undefined;
  let stalled = false;
  let accepted = 0;
  let refused = 0;

  const destroyLink = (link: Link): void => {
    links.delete(link);
    // A reset, not a polite FIN: a cut cable or a crashed peer does not say goodbye either.
    if (!link.client.destroyed) link.client.resetAndDestroy();
    if (!link.upstream.destroyed) link.upstream.resetAndDestroy();
  };

  const server: Server = createServer((client) => {
    if (Date.now() < cutUntil) {
      refused += 1;
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    accepted += 1;
    const upstream = createConnection({ host: targetHost, port: options.targetPort });
    const link: Link = { client, upstream };
    links.add(link);
    // Errors end the link; the peers see a closed connection, which is the point of the exercise.
    client.on('error', () => destroyLink(link));
    upstream.on('error', () => destroyLink(link));
    client.on('close', () => destroyLink(link));
    upstream.on('close', () => destroyLink(link));
    if (stalled) {
      client.pause();
      upstream.pause();
    } else {
      client.pipe(upstream);
      upstream.pipe(client);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port');
  const port = address.port;

  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
    get open() {
      return links.size;
    },
    cut(ms) {
      clearTimeout(cutTimer);
      cutUntil = ms === undefined ? Number.POSITIVE_INFINITY : Date.now() + ms;
      if (ms !== undefined) cutTimer = setTimeout(() => (cutUntil = 0), ms);
      for (const link of [...links]) destroyLink(link);
    },
    restore() {
      clearTimeout(cutTimer);
      cutUntil = 0;
    },
    stall() {
      stalled = true;
      for (const { client, upstream } of links) {
        // pause() alone is not enough while pipe() is attached: unpipe, then pause.
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    resume() {
      stalled = false;
      for (const { client, upstream } of links) {
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        upstream.resume();
      }
    },
    async close() {
      clearTimeout(cutTimer);
      for (const link of [...links]) destroyLink(link);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
