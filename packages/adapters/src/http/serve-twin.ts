/**
 * The twin service: a live twin's REST API under `/v1`, its WebSocket feed, Prometheus metrics,
 * health checks and an optional dashboard, on Fastify, behind JWT bearer tokens.
 */
import { randomUUID } from 'node:crypto';
import websocket from '@fastify/websocket';
import { TwinkitError } from '@twinkit/core';
import { closestMatch, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { Reading } from '../reading';
import type { ScenarioRequest, Twin } from '../twin/types';
import { type AuditEntry, AuditLog } from './audit-log';
import { AuthError, type AuthOptions, makeVerifier, type Principal, type Role, roleAllows } from './auth';
import { LiveFeed, type LiveOptions, type LiveSettings } from './live';
import { ServiceMetrics } from './metrics';
import { StaticDirectory } from './static-files';

/** Fastify's logger options: `true` (info level, JSON to stdout) or pino options (`{ level, stream, redact }`). */
export type ServiceLoggerOptions = Exclude<FastifyServerOptions['logger'], undefined>;

/**
 * Where `GET /v1/assets/:id/telemetry` looks readings up when the twin's own recent history
 * (`twin.readings`) is not enough: a recorder such as a PostgreSQL table of readings.
 */
export interface TelemetryStore {
  /** The readings of `asset` from `since` (epoch ms, inclusive; undefined: any), the most recent `limit`, oldest first. */
  query(
    asset: string,
    options: { readonly since: number | undefined; readonly limit: number },
  ): readonly Reading[] | Promise<readonly Reading[]>;
}

/** Options of {@link serveTwin}. */
export interface ServeTwinOptions {
  /** The interface to listen on (default `'127.0.0.1'`: this machine only; `'0.0.0.0'` for every interface). */
  readonly host?: string;
  /** The port (default 8080; 0: any free port, see `service.port`). */
  readonly port?: number;
  /** How bearer tokens are verified; falls back to the `TWINKIT_JWT_*` environment variables. */
  readonly auth?: AuthOptions;
  /** A directory of static files served at `/` without a token (a dashboard); `index.html` for a directory. */
  readonly dashboard?: string;
  /** The path of an append-only JSON Lines audit log of commands and scenario requests (default: none). */
  readonly audit?: string;
  /** Where telemetry queries go (default: the twin's recent readings, `twin.readings`). */
  readonly telemetry?: TelemetryStore;
  /** Request logging (default false). Authorization headers and `token` parameters are always redacted. */
  readonly logger?: ServiceLoggerOptions;
  /** The twin's topic root, as in `createTwin({ publish: { root } })`, for the topics of live messages (default `'factory'`). */
  readonly root?: string;
  /**
   * Whether the twin is ready for traffic, for `GET /ready`, when more than the twin's own state
   * decides it. Default: ready while the service is open and the twin is running
   * (`twin.stats().status === 'running'`).
   */
  readonly ready?: () => boolean;
  /** The live feed's limits. */
  readonly live?: LiveOptions;
  /** The largest request body accepted, in bytes (default 65,536). */
  readonly bodyLimit?: number;
}

/** A running twin service. */
export interface TwinService {
  /** The base URL (`http://127.0.0.1:8080`). */
  readonly url: string;
  /** The port listened on (the one chosen when `port: 0`). */
  readonly port: number;
  /** Closes the live clients, stops listening and closes the audit log (the twin itself goes on). */
  close(): Promise<void>;
  /** The Fastify instance, to add routes or `inject` requests. */
  readonly app: FastifyInstance;
}

const API = 'serveTwin(twin, options)';
const OPTION_KEYS = [
  'host',
  'port',
  'auth',
  'dashboard',
  'audit',
  'telemetry',
  'logger',
  'root',
  'ready',
  'live',
  'bodyLimit',
];
const LIVE_KEYS = ['maxClients', 'maxBufferedBytes', 'pingIntervalMs'];

/** What a route needs: a role, or nothing (public). */
interface RouteConfig {
  readonly role?: Role;
  /** Tokens may come as `?token=` or a `Sec-WebSocket-Protocol` (the WebSocket route only). */
  readonly wsToken?: boolean;
}

const REDACTED = '[redacted]';
/** Query parameters that carry credentials, never logged. */
const SECRET_PARAMS = /([?&](?:token|access_token|jwt)=)[^&#]*/gi;

/** A URL with its credentials cut out, for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, `$1${REDACTED}`);
}

const ERROR_NAMES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  426: 'upgrade_required',
  429: 'too_many_requests',
  503: 'unavailable',
};

/**
 * Serves a live twin over HTTP: the REST API of the design document under `/v1` (assets,
 * telemetry, commands, the simulation state, scenarios, KPIs), a WebSocket feed at `/v1/live`,
 * Prometheus metrics at `/metrics`, `/health` and `/ready`, and a dashboard directory at `/`.
 *
 * Every `/v1` route and `/metrics` need a JWT bearer token (HS256 with `auth.secret`, or RS256/ES256
 * with `auth.publicKey`) whose `role` claim is `operator` (reads and commands), `engineer` (also
 * scenarios and metrics) or `admin` (also `/v1/config`). A missing, bad or expired token gets 401;
 * a role too low gets 403. Commands and scenario requests are appended to the `audit` log before
 * they are acted on. Tokens are never logged.
 *
 * @example
 * ```ts
 * const twin = createTwin({ model, sources: [source], assimilate, kpis });
 * await twin.start();
 * const service = await serveTwin(twin, { port: 8080, auth: { secret: process.env.TWINKIT_JWT_SECRET }, audit: 'audit.jsonl' });
 * console.log(`twin service on ${service.url}`);
 * // ... later
 * await service.close();
 * await twin.stop();
 * ```
 */
export async function serveTwin<P, M>(
  twin: Twin<P, M>,
  options: ServeTwinOptions = {},
): Promise<TwinService> {
  rejectUnknownKeys(API, options, OPTION_KEYS, "{ port: 8080, auth: { secret }, dashboard: 'public' }");
  if (twin === null || typeof twin !== 'object' || typeof twin.stats !== 'function')
    throw invalidArgument(API, 'twin must be a twin made by createTwin', twin);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '')
    throw invalidArgument(API, 'host must be a non-empty string', host);
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw invalidArgument(API, 'port must be an integer from 0 to 65535 (0: any free port)', port);
  const root = options.root ?? 'factory';
  if (typeof root !== 'string' || root === '')
    throw invalidArgument(API, 'root must be a topic prefix', root);
  if (options.ready !== undefined && typeof options.ready !== 'function')
    throw invalidArgument(API, 'ready must be a function returning a boolean', options.ready);
  if (options.telemetry !== undefined && typeof options.telemetry?.query !== 'function')
    throw invalidArgument(API, 'telemetry must be { query(asset, { since, limit }) }', options.telemetry);
  const bodyLimit = options.bodyLimit ?? 65_536;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024)
    throw invalidArgument(API, 'bodyLimit must be an integer number of bytes >= 1024', bodyLimit);
  const live = liveSettings(options.live);
  const verifier = makeVerifier(API, options.auth, process.env);

  let dashboard: StaticDirectory | undefined;
  if (options.dashboard !== undefined) {
    if (typeof options.dashboard !== 'string' || options.dashboard === '')
      throw invalidArgument(API, 'dashboard must be the path of a directory', options.dashboard);
    try {
      dashboard = await StaticDirectory.open(options.dashboard);
    } catch (error) {
      throw invalidArgument(
        API,
        `dashboard must be an existing directory (${(error as Error).message})`,
        options.dashboard,
      );
    }
  }
  if (options.audit !== undefined && (typeof options.audit !== 'string' || options.audit === ''))
    throw invalidArgument(API, 'audit must be the path of a file', options.audit);
  let audit: AuditLog | undefined;
  if (options.audit !== undefined) {
    try {
      audit = await AuditLog.open(options.audit);
    } catch (error) {
      throw invalidArgument(
        API,
        `audit must be a file the service can append to (${(error as Error).message})`,
        options.audit,
      );
    }
  }

  const metrics = new ServiceMetrics();
  const feed = new LiveFeed(twin as Twin<unknown, unknown>, metrics, live, root);
  let closing = false;

  const app = Fastify({
    logger: loggerOptions(options.logger),
    bodyLimit,
    // Request ids: fresh ones, never taken from a client's header.
    genReqId: () => randomUUID(),
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, verbose: true },
    },
    schemaErrorFormatter,
    return503OnClosing: true,
  });
  const principals = new WeakMap<FastifyRequest, Principal>();
  const principalOf = (request: FastifyRequest): Principal => principals.get(request) as Principal;

  // Registered first: its onRequest hook marks upgrade requests, so that a refused one (401) has
  // its socket destroyed after the answer, before the authentication hook below runs.
  await app.register(websocket, {
    // Closing: the live clients get 1001 (going away), then the WebSocket server closes.
    preClose: async () => {
      closing = true;
      feed.close();
      const wss = app.websocketServer;
      for (const socket of wss.clients) socket.close(1001, 'the service is closing');
      // A client that does not answer the close within a second is cut.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const socket of wss.clients) socket.terminate();
        }, 1000);
        wss.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    options: {
      maxPayload: 64 * 1024,
      // A browser passing its token as a subprotocol (`new WebSocket(url, ['bearer', token])`) must get one back.
      handleProtocols: (protocols: Set<string>) => (protocols.has('bearer') ? 'bearer' : false),
    },
  });

  // ------------------------------------------------------------------ authentication
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    const config = request.routeOptions.config as RouteConfig;
    if (config.role === undefined) return;
    reply.header('cache-control', 'no-store');
    const found = bearerToken(request, config.wsToken === true);
    if (typeof found !== 'string') return deny(reply, 401, found.problem);
    let principal: Principal;
    try {
      principal = await verifier.verify(found);
    } catch (error) {
      if (error instanceof AuthError) return deny(reply, error.status, error.message);
      throw error;
    }
    if (!roleAllows(principal.role, config.role))
      return deny(
        reply,
        403,
        `${request.method} ${request.routeOptions.url} needs the ${config.role} role or higher; the token's role is ${principal.role}`,
      );
    principals.set(request, principal);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    const labels = { method: request.method, route };
    metrics.httpRequests.inc({ ...labels, status: String(reply.statusCode) });
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const e = error as Error & { statusCode?: number; validation?: unknown; code?: string };
    if (e.validation !== undefined) return problem(reply, 400, e.message);
    if (e instanceof TwinkitError) {
      if (e.code === 'INVALID_ARGUMENT') return problem(reply, 400, e.message);
      if (e.code === 'INVALID_STATE') return problem(reply, 409, e.message);
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) return problem(reply, status, e.message);
    request.log.error({ err: error }, 'request failed');
    return problem(reply, 500, 'the service failed to answer; see its log');
  });

  app.setNotFoundHandler((request, reply) =>
    problem(
      reply,
      404,
      `no route ${request.method} ${pathOf(request.url)}; the API is under /v1 (GET /v1/assets, GET /v1/simulation/state, ...)`,
    ),
  );

  const operator: { config: RouteConfig } = { config: { role: 'operator' } };
  const engineer: { config: RouteConfig } = { config: { role: 'engineer' } };
  const admin: { config: RouteConfig } = { config: { role: 'admin' } };

  const assetOr404 = (reply: FastifyReply, id: string) => {
    const assets = twin.assets();
    const asset = assets.find((a) => a.id === id);
    if (asset === undefined) {
      const known = assets.map((a) => a.id);
      const near = closestMatch(id, known);
      problem(
        reply,
        404,
        `no asset '${id}'${near ? ` (did you mean '${near}'?)` : ''}; the assets are ${known.join(', ') || 'none'}`,
      );
    }
    return asset;
  };

  const record = async (request: FastifyRequest, id: string) => {
    if (audit === undefined) return;
    const principal = principalOf(request);
    const entry: AuditEntry = {
      time: new Date().toISOString(),
      request_id: request.id,
      subject: principal.subject,
      role: principal.role,
      route: `${request.method} ${request.routeOptions.url}`,
      params: (request.params ?? {}) as Record<string, string>,
      body: request.body ?? null,
      id,
    };
    await audit.append(entry);
  };

  // ------------------------------------------------------------------ public
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    let ready = !closing;
    if (ready) {
      try {
        const running = twin.stats().status === 'running';
        ready = options.ready ? options.ready() === true : running;
      } catch {
        ready = false;
      }
    }
    if (!ready) return problem(reply, 503, closing ? 'the service is closing' : 'the twin is not running');
    return { status: 'ready' };
  });

  // ------------------------------------------------------------------ assets
  app.get('/v1/assets', operator, async () => ({ assets: twin.assets() }));

  app.get<{ Params: { id: string } }>(
    '/v1/assets/:id',
    { ...operator, schema: { params: idParams } },
    async (request, reply) => {
      const asset = assetOr404(reply, request.params.id);
      if (asset === undefined) return reply;
      return { ...asset, state: twin.state().assets[asset.id] ?? null };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { since?: string; limit: number } }>(
    '/v1/assets/:id/telemetry',
    {
      ...operator,
      schema: {
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
          },
        },
      },
    },
    async (request, reply) => {
      const asset = assetOr404(reply, request.params.id);
      if (asset === undefined) return reply;
      const since = request.query.since === undefined ? undefined : Date.parse(request.query.since);
      const limit = request.query.limit;
      const readings = options.telemetry
        ? await options.telemetry.query(asset.id, { since, limit })
        : twin.readings({ asset: asset.id, limit, ...(since !== undefined ? { since } : {}) });
      return {
        asset: asset.id,
        readings: readings.map((r) => ({
          timestamp: r.timestamp,
          sensor_id: r.sensor_id,
          value: r.value,
          unit: r.unit,
          quality: r.quality,
          source: r.source,
        })),
      };
    },
  );

  app.post<{ Params: { id: string }; Body: { action: string; parameters?: Record<string, unknown> } }>(
    '/v1/assets/:id/commands',
    {
      ...operator,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['action'],
          properties: {
            action: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
            parameters: { type: 'object' },
          },
        },
      },
    },
    async (request, reply) => {
      const asset = assetOr404(reply, request.params.id);
      if (asset === undefined) return reply;
      const commandId = `cmd_${randomUUID()}`;
      await record(request, commandId);
      const { action, parameters = {} } = request.body;
      await twin.command(asset.id, action, { ...parameters, command_id: commandId });
      return reply.code(202).send({ command_id: commandId, status: 'sent' });
    },
  );

  // ------------------------------------------------------------------ simulation
  app.get('/v1/simulation/state', operator, async () => twin.state());

  app.post<{ Body: ScenarioBody }>(
    '/v1/simulation/scenarios',
    { ...engineer, schema: { body: scenarioBody } },
    async (request, reply) => {
      const b = request.body;
      if (b.parameters === undefined && b.scenarios === undefined)
        return problem(
          reply,
          400,
          'body must have parameters (one what-if) or scenarios (several, by name) to compare with the baseline',
        );
      const scenarioRequest: ScenarioRequest<P> = {
        ...(b.parameters !== undefined ? { params: b.parameters as Partial<P> } : {}),
        ...(b.scenarios !== undefined ? { scenarios: b.scenarios as Record<string, Partial<P>> } : {}),
        horizonH: b.duration_hours,
        replications: b.replications,
        ...(b.target_half_width !== undefined ? { targetHalfWidth: b.target_half_width } : {}),
      };
      // Audited before it runs; the id is the twin's, known only once it accepted the request.
      const auditId = `req_${request.id}`;
      await record(request, auditId);
      const job = twin.scenario(scenarioRequest);
      const resultUrl = `/v1/simulation/scenarios/${job.id}`;
      return reply
        .code(202)
        .header('location', resultUrl)
        .send({
          scenario_id: job.id,
          status: job.status,
          requested_at: job.requestedAt,
          ...(b.scenario_type !== undefined ? { scenario_type: b.scenario_type } : {}),
          result_url: resultUrl,
        });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/simulation/scenarios/:id',
    { ...operator, schema: { params: idParams } },
    async (request, reply) => {
      const job = twin.scenarioJob(request.params.id);
      if (job === undefined) return problem(reply, 404, `no scenario '${request.params.id}'`);
      return {
        scenario_id: job.id,
        status: job.status,
        requested_at: job.requestedAt,
        ...(job.status === 'completed' ? { result: await job.result } : {}),
        ...(job.status === 'failed' ? { error: job.error ?? 'failed' } : {}),
      };
    },
  );

  // ------------------------------------------------------------------ KPIs
  app.get('/v1/kpis', operator, async () => ({ time: twin.state().timestamp, kpis: twin.kpis() }));

  app.get<{ Querystring: { since?: string; limit: number } }>(
    '/v1/kpis/historical',
    {
      ...operator,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
          },
        },
      },
    },
    async (request) => {
      const since = request.query.since === undefined ? undefined : Date.parse(request.query.since);
      let history = twin.kpiHistory();
      if (since !== undefined) history = history.filter((h) => Date.parse(h.time) >= since);
      return { history: history.slice(Math.max(0, history.length - request.query.limit)) };
    },
  );

  // ------------------------------------------------------------------ admin
  app.get('/v1/config', admin, async () => ({
    service: {
      host,
      port: service.port,
      root,
      dashboard: dashboard?.path ?? null,
      audit: audit?.path ?? null,
      telemetry: options.telemetry ? 'store' : 'twin',
      bodyLimit,
      live,
      auth: verifier.description,
    },
    twin: {
      assets: twin.assets().map((a) => a.id),
      simulation: twin.stats().simulation,
    },
  }));

  // ------------------------------------------------------------------ metrics
  app.get('/metrics', engineer, async (_request, reply) => {
    const text = await metrics.scrape(twin.stats());
    return reply.type(metrics.contentType).send(text);
  });

  // ------------------------------------------------------------------ live feed
  app.route({
    method: 'GET',
    url: '/v1/live',
    config: { role: 'operator', wsToken: true } satisfies RouteConfig,
    // A plain GET (no upgrade) is told what the route is.
    handler: (_request, reply) => {
      reply.header('upgrade', 'websocket');
      return problem(
        reply,
        426,
        'GET /v1/live is a WebSocket: connect with ws:// (or wss://) and send {"type":"subscribe"}',
      );
    },
    wsHandler: (socket, request) => {
      feed.attach(socket, principalOf(request));
    },
  });

  // ------------------------------------------------------------------ dashboard
  if (dashboard !== undefined) {
    const files = dashboard;
    app.get('/*', async (request, reply) => {
      const path = pathOf(request.url);
      if (path === '/v1' || path.startsWith('/v1/'))
        return problem(reply, 404, `no route ${request.method} ${path}`);
      const found = await files.find(path);
      if (found === 'bad') return problem(reply, 400, 'the path is not a valid URL path');
      if (found === 'missing') return problem(reply, 404, `no file ${path}`);
      reply.header('content-type', found.type);
      reply.header('content-length', found.size);
      reply.header('last-modified', found.modified.toUTCString());
      reply.header('cache-control', 'no-cache');
      // HEAD too: Fastify's HEAD route reads the stream away and keeps the length.
      return reply.send(found.handle.createReadStream());
    });
  }

  let address: string;
  try {
    address = await app.listen({ host, port });
  } catch (error) {
    feed.close();
    await audit?.close();
    throw new TwinkitError(`${API}: cannot listen on ${host}:${port} (${(error as Error).message})`, {
      code: 'IO',
      cause: error,
    });
  }
  const addr = app.server.address();
  const boundPort = typeof addr === 'object' && addr !== null ? addr.port : port;
  let closed: Promise<void> | undefined;
  const service: TwinService = {
    url: urlOf(address, host, boundPort),
    port: boundPort,
    app,
    close() {
      closed ??= (async () => {
        closing = true;
        await app.close();
        await audit?.close();
      })();
      return closed;
    },
  };
  return service;
}

interface ScenarioBody {
  scenario_type?: string;
  parameters?: Record<string, unknown>;
  scenarios?: Record<string, Record<string, unknown>>;
  duration_hours: number;
  replications: number;
  target_half_width?: number;
}

const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['id'],
} as const;

const scenarioBody = {
  type: 'object',
  additionalProperties: false,
  required: ['duration_hours', 'replications'],
  properties: {
    scenario_type: { type: 'string', maxLength: 200 },
    parameters: { type: 'object' },
    scenarios: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { type: 'object' },
    },
    duration_hours: { type: 'number', exclusiveMinimum: 0, maximum: 24 * 366 * 10 },
    replications: { type: 'integer', minimum: 2, maximum: 10_000 },
    target_half_width: { type: 'number', exclusiveMinimum: 0 },
  },
} as const;

function liveSettings(o: LiveOptions | undefined): LiveSettings {
  const where = `${API}: live`;
  rejectUnknownKeys(where, o, LIVE_KEYS, '{ maxClients: 100 }');
  const int = (name: string, v: unknown, d: number, min: number) => {
    if (v === undefined) return d;
    if (!Number.isInteger(v) || (v as number) < min)
      throw invalidArgument(where, `${name} must be an integer >= ${min}`, v);
    return v as number;
  };
  return {
    maxClients: int('maxClients', o?.maxClients, 100, 1),
    maxBufferedBytes: int('maxBufferedBytes', o?.maxBufferedBytes, 1024 * 1024, 1024),
    pingIntervalMs: int('pingIntervalMs', o?.pingIntervalMs, 30_000, 100),
  };
}

/** The logger options with the redaction of credentials added, whatever the caller gave. */
function loggerOptions(logger: ServiceLoggerOptions | undefined): FastifyServerOptions['logger'] {
  if (logger === undefined || logger === false) return false;
  if (logger !== true && (logger === null || typeof logger !== 'object'))
    throw invalidArgument(API, 'logger must be a boolean or pino options ({ level, stream })', logger);
  const given = logger === true ? {} : logger;
  const theirs = given.redact;
  const paths = [
    'req.headers.authorization',
    'req.headers.cookie',
    'req.headers["sec-websocket-protocol"]',
    'req.query.token',
    'headers.authorization',
    'authorization',
    'token',
    ...(Array.isArray(theirs) ? theirs : (theirs?.paths ?? [])),
  ];
  return {
    ...given,
    redact: {
      ...(Array.isArray(theirs) || theirs === undefined ? {} : theirs),
      paths,
      censor: REDACTED,
    },
    serializers: {
      ...given.serializers,
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  };
}

/** Validation messages that say where and what: `body.replications must be >= 2`, `body has no property 'duration'`. */
function schemaErrorFormatter(
  errors: readonly {
    keyword: string;
    instancePath: string;
    message?: string;
    params: Record<string, unknown>;
    parentSchema?: unknown;
  }[],
  dataVar: string,
): Error {
  const e = errors[0];
  if (e === undefined) return new Error(`${dataVar} is not valid`);
  const where = `${dataVar}${e.instancePath.replaceAll('/', '.')}`;
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty);
    const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const near = closestMatch(key, known);
    return new Error(
      `${where} has no property '${key}'${near ? ` (did you mean '${near}'?)` : ''}${known.length > 0 ? `; the properties are ${known.join(', ')}` : ''}`,
    );
  }
  if (e.keyword === 'required')
    return new Error(`${where} must have the property '${String(e.params.missingProperty)}'`);
  if (e.keyword === 'pattern' && where.endsWith('.action'))
    return new Error(
      `${where} must be 1 to 64 letters, digits, _ or - (one topic level, e.g. 'maintenance')`,
    );
  if (e.keyword === 'format' && e.params.format === 'date-time')
    return new Error(`${where} must be an ISO-8601 date-time with a zone (2024-01-15T10:30:00Z)`);
  return new Error(`${where} ${e.message ?? 'is not valid'}`);
}

type TokenOrProblem = string | { readonly problem: string };

/** The bearer token of a request: the Authorization header, or for the WebSocket a `token` parameter or subprotocol. */
function bearerToken(request: FastifyRequest, wsToken: boolean): TokenOrProblem {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer[ \t]+([A-Za-z0-9\-_.~+/]+=*)[ \t]*$/i.exec(header);
    if (m === null) return { problem: 'the Authorization header must be "Bearer <token>"' };
    return m[1] as string;
  }
  if (wsToken) {
    const query = request.query as Record<string, unknown> | undefined;
    const token = query?.token;
    if (typeof token === 'string' && token !== '') return token;
    const protocols = request.headers['sec-websocket-protocol'];
    if (typeof protocols === 'string') {
      const list = protocols.split(',').map((p) => p.trim());
      const i = list.indexOf('bearer');
      const t = i >= 0 ? list[i + 1] : undefined;
      if (t !== undefined && t !== '') return t;
    }
    return {
      problem:
        'no bearer token: pass ?token=<token>, the subprotocols ["bearer", <token>] or an Authorization: Bearer header',
    };
  }
  return { problem: 'no bearer token: send the header Authorization: Bearer <token>' };
}

function deny(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="twinkit", error="invalid_token"');
  return problem(reply, status, message);
}

function problem(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({
      error: ERROR_NAMES[status] ?? (status >= 500 ? 'internal' : 'error'),
      message,
    });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function urlOf(address: string, host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return `http://127.0.0.1:${port}`;
  try {
    const u = new URL(address);
    return `${u.protocol}//${u.host}`;
  } catch {
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
}
