import { createServer, type Socket } from 'node:net';
import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';

/** Options of {@link startEmbeddedBroker}. */
export interface EmbeddedBrokerOptions {
  /** The TCP port; default 0, a free port chosen by the system (read it from `port` or `url`). */
  readonly port?: number;
  /** The address to listen on; default `'127.0.0.1'` (this machine only). */
  readonly host?: string;
  /**
   * Decides who may connect, from the CONNECT packet's username and password; default: everyone.
   * A refused client gets CONNACK "bad username or password".
   */
  readonly authenticate?: (username: string | undefined, password: string | undefined) => boolean;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  /** `mqtt://<host>:<port>`, for {@link mqttSource} and {@link mqttSink}. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The address it listens on. */
  readonly host: string;
  /** How many clients are connected now. */
  readonly connectedClients: number;
  /** Disconnects every client and stops listening; sessions and retained messages are gone. */
  close(): Promise<void>;
}

const KNOWN_KEYS = ['port', 'host', 'authenticate'];

/**
 * Starts an MQTT broker inside this process (aedes on node:net, sessions and retained messages in
 * memory): for tests, demos and a twin that runs without a plant's broker. Supports MQTT 3.1.1 and
 * 5, QoS 0-2, retained messages, wills and kept sessions while it runs.
 *
 * @example
 * ```ts
 * import { startEmbeddedBroker } from '@twinkit/adapters/mqtt';
 *
 * const broker = await startEmbeddedBroker();
 * console.log(broker.url); // mqtt://127.0.0.1:<port>
 * await broker.close();
 * ```
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const api = 'startEmbeddedBroker(options)';
  rejectUnknownKeys(api, options, KNOWN_KEYS, "{ port: 0, host: '127.0.0.1' }");
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw invalidArgument(api, 'port must be an integer in [0, 65535] (0: any free port)', port);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0)
    throw invalidArgument(api, 'host must be a non-empty string', host);
  const authenticate = options.authenticate;
  if (authenticate !== undefined && typeof authenticate !== 'function')
    throw invalidArgument(
      api,
      'authenticate must be a function (username, password) => boolean',
      authenticate,
    );

  // Loaded on demand: aedes is ESM-only and only the embedded broker needs it.
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker({
    // MQTT 3.1.1 requires brokers to take ids up to 23 characters; ours take longer ones too.
    maxClientsIdLength: 256,
    ...(authenticate
      ? {
          authenticate: (_client, username, password, done) => {
            let ok = false;
            try {
              ok = authenticate(username, password?.toString('utf8')) === true;
            } catch {
              ok = false; // a throwing check refuses, it does not crash the broker
            }
            if (ok) done(null, true);
            else {
              const error = Object.assign(new Error('bad username or password'), { returnCode: 4 });
              done(error as Parameters<typeof done>[0], null);
            }
          },
        }
      : {}),
  });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw new TwinkitError(
      `${api}: cannot listen on ${host}:${port}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Choose another port, or port 0 for any free one.`,
      { code: 'IO', cause: error },
    );
  }
  const address = server.address();
  const boundPort = address !== null && typeof address === 'object' ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
    port: boundPort,
    host,
    get connectedClients() {
      return aedes.connectedClients;
    },
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        // aedes ends its clients; a socket that does not close by itself is destroyed, so close()
        // always returns and the process can exit.
        for (const socket of sockets) socket.destroy();
        await serverClosed;
      })();
      return closing;
    },
  };
}
