/**
 * What the MQTT source and sink share: where the broker is and how to log in (options, the URL or
 * `TWINKIT_MQTT_*` variables, never logged), and one connection to it that reconnects by itself
 * with exponential backoff and jitter around MQTT.js's own reconnect.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TwinkitError } from '@twinkit/core';
import { invalidArgument } from '@twinkit/core/internal';
import { connect, type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import { type Backoff, type BackoffOptions, backoffDelay, resolveBackoff } from '../backoff/backoff';

/**
 * TLS settings of an `mqtts://` connection. PEM text or file paths (read once, when the source or
 * sink is created); without a CA, the system's CAs are trusted.
 */
export interface MqttTlsOptions {
  /** PEM text of the CA certificate(s) that signed the broker's certificate. */
  readonly ca?: string | Uint8Array;
  /** PEM text of the client certificate (mutual TLS); needs `key`. */
  readonly cert?: string | Uint8Array;
  /** PEM text of the client's private key. */
  readonly key?: string | Uint8Array;
  /** Path of a PEM file with the CA certificate(s); instead of `ca`. */
  readonly caFile?: string;
  /** Path of a PEM file with the client certificate; instead of `cert`. */
  readonly certFile?: string;
  /** Path of a PEM file with the client's private key; instead of `key`. */
  readonly keyFile?: string;
  /** Whether to refuse a broker whose certificate does not verify; default `true`. */
  readonly rejectUnauthorized?: boolean;
  /** The name to verify the broker's certificate against, when it differs from the URL's host. */
  readonly servername?: string;
}

/** The connection options the MQTT source and sink share. */
export interface MqttConnectionOptions {
  /**
   * The broker, `mqtt://host:port` or `mqtts://host:port` (also `ws://`, `wss://`); default the
   * `TWINKIT_MQTT_URL` variable. Credentials in the URL (`mqtt://user:pass@host`) are taken out of it.
   */
  readonly url?: string;
  /**
   * A fixed client id: the broker keeps the session (`clean: false`), so subscriptions and QoS 1/2
   * messages survive a disconnection. Without one, a unique id and a clean session.
   */
  readonly clientId?: string;
  /** The user name; default from the URL, then `TWINKIT_MQTT_USERNAME`. */
  readonly username?: string;
  /** The password; default from the URL, then `TWINKIT_MQTT_PASSWORD`. Never logged nor shown. */
  readonly password?: string;
  /** TLS for `mqtts://`; default from `TWINKIT_MQTT_CA`, `TWINKIT_MQTT_CERT`, `TWINKIT_MQTT_KEY` (file paths). */
  readonly tls?: MqttTlsOptions;
  /** The MQTT keepalive, seconds: a silent link is declared dead after 1.5 times this; default 30. */
  readonly keepaliveSeconds?: number;
  /** How long one connection attempt may take, ms; default 10,000. */
  readonly connectTimeoutMs?: number;
  /** How long `start()` keeps trying before it fails, ms; default 10,000. */
  readonly startTimeoutMs?: number;
  /** The reconnect backoff; default `{ initialMs: 500, maxMs: 30000, factor: 2, jitter: 0.5 }`. */
  readonly reconnect?: BackoffOptions;
}

/** The keys of {@link MqttConnectionOptions}, for `rejectUnknownKeys`. */
export const CONNECTION_KEYS = [
  'url',
  'clientId',
  'username',
  'password',
  'tls',
  'keepaliveSeconds',
  'connectTimeoutMs',
  'startTimeoutMs',
  'reconnect',
] as const;

const TLS_KEYS = ['ca', 'cert', 'key', 'caFile', 'certFile', 'keyFile', 'rejectUnauthorized', 'servername'];
const SCHEMES = new Set(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']);
const SECURE_SCHEMES = new Set(['mqtts:', 'ssl:', 'wss:']);

/** The broker and login, resolved once; `secrets` are what must never appear in a message. */
export interface ResolvedConnection {
  /** The broker URL without credentials: safe for names and messages. */
  readonly url: string;
  /** The client id, given or generated. */
  readonly clientId: string;
  /** Whether the session is kept (a client id was given). */
  readonly persistent: boolean;
  readonly clientOptions: IClientOptions;
  readonly secrets: readonly string[];
  readonly keepaliveSeconds: number;
  readonly connectTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly backoff: Backoff;
}

function positive(api: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw invalidArgument(api, `${name} must be a finite number > 0`, value);
  return value;
}

function pem(api: string, name: string, text: unknown, file: unknown): string | Buffer | undefined {
  if (text !== undefined && file !== undefined)
    throw invalidArgument(
      api,
      `give tls.${name} or tls.${name}File, not both`,
      `${name}File: ${String(file)}`,
    );
  if (text !== undefined) {
    if (typeof text === 'string') return text;
    if (text instanceof Uint8Array) return Buffer.from(text);
    // The value may be key material: name its type, never print it.
    throw invalidArgument(api, `tls.${name} must be PEM text (a string or bytes)`, typeof text);
  }
  if (file === undefined) return undefined;
  if (typeof file !== 'string' || file.length === 0)
    throw invalidArgument(api, `tls.${name}File must be a file path`, file);
  try {
    return readFileSync(file);
  } catch (error) {
    throw new TwinkitError(
      `${api}: cannot read tls.${name}File ${JSON.stringify(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check the path (or TWINKIT_MQTT_${name.toUpperCase()}).`,
      { code: 'IO', details: { file } },
    );
  }
}

/**
 * Resolves the broker URL, credentials and TLS from the options, the URL and the environment
 * (in that order), and validates them. Messages name fields and files, never a password or a key.
 */
export function resolveConnection(
  api: string,
  options: MqttConnectionOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConnection {
  const given = options.url ?? env.TWINKIT_MQTT_URL;
  if (given === undefined || given === '')
    throw invalidArgument(
      api,
      'needs the broker URL',
      given,
      "Pass url: 'mqtt://127.0.0.1:1883' or set TWINKIT_MQTT_URL (or start one with startEmbeddedBroker()).",
    );
  if (typeof given !== 'string') throw invalidArgument(api, 'url must be a string', typeof given);
  let parsed: URL;
  try {
    parsed = new URL(given);
  } catch {
    // The URL may hold a password: show it without its user info.
    throw invalidArgument(
      api,
      'url must be a URL such as mqtt://127.0.0.1:1883',
      given.replace(/\/\/[^@/]*@/, '//***@'),
    );
  }
  if (!SCHEMES.has(parsed.protocol))
    throw invalidArgument(
      api,
      `url must use mqtt://, mqtts://, ws:// or wss://`,
      parsed.protocol,
      'Example: mqtt://127.0.0.1:1883.',
    );
  const urlUser = parsed.username !== '' ? decodeURIComponent(parsed.username) : undefined;
  const urlPassword = parsed.password !== '' ? decodeURIComponent(parsed.password) : undefined;
  parsed.username = '';
  parsed.password = '';
  const url = parsed.toString().replace(/\/$/, '');

  for (const key of ['username', 'password', 'clientId'] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'string' || v.length === 0))
      throw invalidArgument(
        api,
        `${key} must be a non-empty string`,
        key === 'password' ? typeof v : (v as unknown),
      );
  }
  const username = options.username ?? urlUser ?? (env.TWINKIT_MQTT_USERNAME || undefined);
  const password = options.password ?? urlPassword ?? (env.TWINKIT_MQTT_PASSWORD || undefined);
  if (password !== undefined && username === undefined)
    throw invalidArgument(
      api,
      'a password needs a username',
      '(a password)',
      'Pass username too (or set TWINKIT_MQTT_USERNAME).',
    );

  const secure = SECURE_SCHEMES.has(parsed.protocol);
  const clientOptions: IClientOptions = {};
  const secrets: string[] = [];
  if (username !== undefined) clientOptions.username = username;
  if (password !== undefined) {
    clientOptions.password = password;
    secrets.push(password);
    if (urlPassword !== undefined && urlPassword !== password) secrets.push(urlPassword);
  }
  if (urlPassword !== undefined && password === undefined) secrets.push(urlPassword);

  let tls: MqttTlsOptions | undefined = options.tls;
  if (tls !== undefined) {
    if (tls === null || typeof tls !== 'object') throw invalidArgument(api, 'tls must be an object', tls);
    for (const key of Object.keys(tls))
      if (!TLS_KEYS.includes(key))
        throw invalidArgument(api, `unknown tls option '${key}'`, key, `Known: ${TLS_KEYS.join(', ')}.`);
    if (!secure)
      throw invalidArgument(
        api,
        'tls options need an mqtts:// (or wss://) URL',
        url,
        `Use ${url.replace(/^[a-z]+:/, 'mqtts:')}.`,
      );
  } else if (secure && (env.TWINKIT_MQTT_CA || env.TWINKIT_MQTT_CERT || env.TWINKIT_MQTT_KEY)) {
    // The TLS variables apply to secure URLs only, so a plain mqtt:// broker (the embedded one) still
    // works in a shell where they are set.
    tls = {
      ...(env.TWINKIT_MQTT_CA ? { caFile: env.TWINKIT_MQTT_CA } : {}),
      ...(env.TWINKIT_MQTT_CERT ? { certFile: env.TWINKIT_MQTT_CERT } : {}),
      ...(env.TWINKIT_MQTT_KEY ? { keyFile: env.TWINKIT_MQTT_KEY } : {}),
    };
  }
  if (tls !== undefined) {
    const ca = pem(api, 'ca', tls.ca, tls.caFile);
    const cert = pem(api, 'cert', tls.cert, tls.certFile);
    const key = pem(api, 'key', tls.key, tls.keyFile);
    if ((cert === undefined) !== (key === undefined))
      throw invalidArgument(
        api,
        'a client certificate needs its key (and a key its certificate)',
        cert === undefined ? 'key without cert' : 'cert without key',
      );
    if (tls.rejectUnauthorized !== undefined && typeof tls.rejectUnauthorized !== 'boolean')
      throw invalidArgument(api, 'tls.rejectUnauthorized must be true or false', tls.rejectUnauthorized);
    if (ca !== undefined) clientOptions.ca = ca;
    if (cert !== undefined) clientOptions.cert = cert;
    if (key !== undefined) {
      clientOptions.key = key;
      secrets.push(key.toString());
    }
    clientOptions.rejectUnauthorized = tls.rejectUnauthorized ?? true;
    if (tls.servername !== undefined) clientOptions.servername = tls.servername;
  }

  const backoff = resolveBackoff(api, options.reconnect, 'reconnect', { initialMs: 500, maxMs: 30_000 });

  const persistent = options.clientId !== undefined;
  return {
    url,
    // 'twinkit' + 16 hex digits: 23 characters, the longest id every MQTT 3.1.1 broker must accept.
    clientId: options.clientId ?? `twinkit${randomBytes(8).toString('hex')}`,
    persistent,
    clientOptions,
    secrets,
    keepaliveSeconds: positive(api, 'keepaliveSeconds', options.keepaliveSeconds, 30),
    connectTimeoutMs: positive(api, 'connectTimeoutMs', options.connectTimeoutMs, 10_000),
    startTimeoutMs: positive(api, 'startTimeoutMs', options.startTimeoutMs, 10_000),
    backoff,
  };
}

/** Replaces every secret in `text` by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}

/** What a {@link MqttLink} tells its owner. */
export interface LinkHooks {
  /**
   * Runs on every CONNACK, before the link counts as up (the source subscribes here). `first` is
   * true for the first connection; `sessionPresent` says whether the broker kept the session.
   */
  ready(connack: IConnackPacket, first: boolean): Promise<void> | void;
  /** The link went down (it had been up). */
  down(info: { readonly error?: string }): void;
  /** The link is up again after a loss. */
  up(info: {
    readonly downtimeMs: number;
    readonly attempts: number;
    readonly sessionPresent: boolean;
  }): void;
}

/** MQTT.js options the link sets itself; a will is the sink's. */
export interface LinkSettings {
  readonly will?: IClientOptions['will'];
}

/**
 * One MQTT connection that stays up: MQTT.js's own reconnect (which keeps its store of unacknowledged
 * QoS 1/2 packets and resends them), with the delay before each attempt set from the backoff just
 * before MQTT.js schedules it. `client.reconnect()` is not used because it replaces the store, and
 * with it the callbacks of messages in flight.
 */
export class MqttLink {
  /** The MQTT.js client (created by `start()`). */
  client: MqttClient | undefined;
  /** Whether the link is up: connected and `ready` done. */
  up = false;
  /** How many times it came back after a loss. */
  reconnects = 0;
  /** The last error, redacted. */
  lastError: string | undefined;
  private attempts = 0;
  private downSince = 0;
  private closing = false;
  private starting: Promise<void> | undefined;
  private abortStart: (() => void) | undefined;

  constructor(
    private readonly api: string,
    private readonly connection: ResolvedConnection,
    private readonly settings: LinkSettings,
    private readonly hooks: LinkHooks,
  ) {}

  /** Connects; resolves when the first connection is up, fails after `startTimeoutMs` or on a refusal. */
  start(): Promise<void> {
    this.starting ??= this.connectFirst();
    return this.starting;
  }

  private connectFirst(): Promise<void> {
    const c = this.connection;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let first = true;
      const fail = (error: TwinkitError): void => {
        if (settled) return;
        settled = true;
        this.abortStart = undefined;
        clearTimeout(deadline);
        this.closing = true;
        this.client?.end(true);
        reject(error);
      };
      const deadline = setTimeout(() => {
        fail(
          new TwinkitError(
            `${this.api}: could not connect to ${c.url} within startTimeoutMs ${c.startTimeoutMs}` +
              `${this.lastError ? ` (last error: ${this.lastError})` : ''}. Check that the broker runs and the URL is right.`,
            { code: 'IO' },
          ),
        );
      }, c.startTimeoutMs);
      this.abortStart = () =>
        fail(
          new TwinkitError(`${this.api}: closed before the first connection to ${c.url} was made.`, {
            code: 'INVALID_STATE',
          }),
        );

      const client = connect(c.url, {
        ...c.clientOptions,
        clientId: c.clientId,
        clean: !c.persistent,
        protocolVersion: 4,
        keepalive: c.keepaliveSeconds,
        connectTimeout: c.connectTimeoutMs,
        reconnectPeriod: backoffDelay(0, c.backoff),
        // Resubscription is ours (we know whether the session was kept); QoS 0 never waits in
        // MQTT.js's unbounded offline queue (the sink buffers, bounded, while the link is down).
        resubscribe: false,
        queueQoSZero: false,
        reconnectOnConnackError: false,
        ...(this.settings.will ? { will: this.settings.will } : {}),
      });
      this.client = client;

      client.on('error', (error: Error & { code?: unknown }) => {
        this.lastError = redact(error.message, c.secrets);
        // A CONNACK refusal (bad credentials, not authorized) will not get better by retrying.
        if (!settled && typeof error.code === 'number' && /refused/i.test(error.message)) {
          fail(
            new TwinkitError(
              `${this.api}: the broker at ${c.url} refused the connection: ${this.lastError} (code ${error.code}). Check the username and password (options, URL, or TWINKIT_MQTT_USERNAME / TWINKIT_MQTT_PASSWORD) and the broker's access rules.`,
              { code: 'IO', details: { reasonCode: error.code } },
            ),
          );
        }
      });
      // Prepended, so the delay is set before MQTT.js's own 'close' handler schedules the attempt.
      client.prependListener('close', () => {
        if (this.closing) return;
        this.attempts = client.connected || this.up ? 0 : this.attempts + 1;
        client.options.reconnectPeriod = backoffDelay(Math.min(this.attempts, 30), c.backoff);
      });
      client.on('close', () => {
        if (this.closing || !this.up) return;
        this.up = false;
        this.downSince = Date.now();
        this.hooks.down({ ...(this.lastError ? { error: this.lastError } : {}) });
      });
      client.on('connect', (connack) => {
        if (this.closing) return;
        // Small packets go out at once: with Nagle's algorithm a QoS 0 publish waits for the
        // broker's delayed ACK (40 ms on Linux) whenever an earlier one is unacknowledged.
        (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
        const wasFirst = first;
        first = false;
        const attempts = this.attempts;
        Promise.resolve()
          .then(() => this.hooks.ready(connack, wasFirst))
          .then(
            () => {
              if (this.closing || !client.connected) return;
              this.up = true;
              this.attempts = 0;
              if (wasFirst) {
                settled = true;
                this.abortStart = undefined;
                clearTimeout(deadline);
                // After a first success, a refusal (a broker restarting) is retried like any loss.
                client.options.reconnectOnConnackError = true;
                resolve();
              } else {
                this.reconnects += 1;
                this.hooks.up({
                  downtimeMs: Date.now() - this.downSince,
                  attempts: attempts + 1,
                  sessionPresent: connack.sessionPresent,
                });
              }
            },
            (error: unknown) => {
              const message = redact(error instanceof Error ? error.message : String(error), c.secrets);
              this.lastError = message;
              if (wasFirst && error instanceof TwinkitError) fail(error);
              else if (wasFirst) first = true; // not ready yet: the next CONNACK is a first one again
              // A later failure (the link fell during a resubscribe) is retried on the next CONNACK.
            },
          );
      });
    });
  }

  /**
   * Ends the connection: politely (DISCONNECT) when up and `force` is false, at once otherwise
   * (MQTT.js's polite end waits for every unacknowledged message, which may never come).
   */
  async close(force = false): Promise<void> {
    this.closing = true;
    // A start still trying ends now (its deadline timer would keep the process alive).
    this.abortStart?.();
    const client = this.client;
    if (!client) return;
    const polite = client.connected && !force;
    await new Promise<void>((resolve) => {
      client.end(!polite, {}, () => resolve());
    });
    this.up = false;
  }

  /** Marks the link as closing without ending it yet (so a drop is not reported as a loss). */
  markClosing(): void {
    this.closing = true;
  }
}
