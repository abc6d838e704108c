/**
 * `npm run factory -- --live`: the factory twin running live.
 *
 * 1. an MQTT broker (embedded aedes on 127.0.0.1, unless `--mqtt URL`);
 * 2. the virtual plant (the hidden-truth model paced to the wall clock at `--speed`), publishing
 *    its telemetry over MQTT and serving machine 1's PLC registers over Modbus TCP;
 * 3. the twin (`createTwin`): MQTT and Modbus sources, quality rules, the EKF per machine health,
 *    the wall clock, state/KPIs/events/what-ifs published over MQTT;
 * 4. its service (`serveTwin`): REST under /v1, the WebSocket feed /v1/live and the dashboard at /,
 *    behind JWT bearer tokens; one development token per role is printed.
 *
 * It runs until SIGINT/SIGTERM (Ctrl-C) or `--for SECONDS`, then stops the service, the twin, the
 * plant and the broker, in that order, and prints what went through.
 */
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { ROLES, type Role, serveTwin, signToken, type TwinService } from '@twinkit/adapters/http';
import { type EmbeddedBroker, startEmbeddedBroker } from '@twinkit/adapters/mqtt';
import { TwinkitError } from '@twinkit/core';
import type { MainIo } from '../main';
import { DEFAULTS, type FactoryParams, validateParams } from '../params';
import { LIVE_USAGE, type LiveOptions, parseLiveOptions } from './options';
import { startVirtualPlant, type VirtualPlant } from './plant';
import { createLiveTwin, LAG_MS, type LiveTwin, ROOT } from './twin';

/** The dashboard directory the service serves at `/`. */
export const DASHBOARD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../dashboard');

/** How long development tokens are valid. */
const TOKEN_LIFETIME = '12h';

/** Everything that runs once `--live` is up (given to `onReady`, for tests and embedding). */
export interface LiveRunning {
  readonly options: LiveOptions;
  /** The plant's parameters. */
  readonly params: FactoryParams;
  /** The calendar instant of plant and twin time 0. */
  readonly start: number;
  /** The MQTT broker's URL. */
  readonly mqtt: string;
  /** The embedded broker, when one was started. */
  readonly broker: EmbeddedBroker | undefined;
  readonly plant: VirtualPlant;
  readonly live: LiveTwin;
  readonly service: TwinService;
  /** One development token per role. */
  readonly tokens: Readonly<Record<Role, string>>;
}

/** Options of {@link runLive}. */
export interface RunLiveOptions {
  /** Stops the run when aborted (default: SIGINT and SIGTERM stop it). */
  readonly signal?: AbortSignal;
  /** Called once everything runs, before the wait. */
  readonly onReady?: (running: LiveRunning) => void;
}

/**
 * Runs the live factory twin; returns the exit code: 0 after a clean stop (signal or `--for`), 2
 * for bad options (with the usage on stderr), 1 when something could not start (the message on
 * stderr names what and why; whatever had started is stopped).
 */
export async function runLive(
  argv: readonly string[],
  io: MainIo,
  runOptions: RunLiveOptions = {},
): Promise<number> {
  let options: LiveOptions;
  try {
    options = parseLiveOptions(argv);
  } catch (error) {
    if (error instanceof TwinkitError) {
      io.stderr.write(`${error.message}\n\n${LIVE_USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    io.stdout.write(LIVE_USAGE);
    return 0;
  }

  const stop = new AbortController();
  const onStop = () => stop.abort();
  let detach: () => void;
  const external = runOptions.signal;
  if (external !== undefined) {
    if (external.aborted) stop.abort();
    external.addEventListener('abort', onStop, { once: true });
    detach = () => external.removeEventListener('abort', onStop);
  } else {
    process.once('SIGINT', onStop);
    process.once('SIGTERM', onStop);
    detach = () => {
      process.off('SIGINT', onStop);
      process.off('SIGTERM', onStop);
    };
  }

  const cleanup: { what: string; run: () => Promise<void> }[] = [];
  let code = 0;
  let plant: VirtualPlant | undefined;
  let live: LiveTwin | undefined;
  let startedAt = performance.now();
  let reporter: NodeJS.Timeout | undefined;
  try {
    const params = validateParams({
      ...DEFAULTS,
      machines: options.machines,
      technicians: options.technicians,
    });
    const start = Math.floor(Date.now() / 1000) * 1000;

    let broker: EmbeddedBroker | undefined;
    let mqtt = options.mqtt;
    if (mqtt === undefined) {
      const b = await startEmbeddedBroker({ port: options.mqttPort });
      broker = b;
      cleanup.push({ what: 'the MQTT broker', run: () => b.close() });
      mqtt = b.url;
    }

    const p = await startVirtualPlant({ params, seed: options.seed, speed: options.speed, start, mqtt });
    plant = p;
    cleanup.push({ what: 'the virtual plant', run: () => p.stop() });
    const l = createLiveTwin({
      params,
      seed: options.seed + 1,
      speed: options.speed,
      start,
      mqtt,
      modbus: p.modbus,
      plantClock: p.calendarNow,
    });
    live = l;
    // The plant's clock first: the twin's starts a moment later and stays behind it (plus its
    // delay), so every reading arrives ahead of the twin and waits for its time.
    p.run();
    startedAt = performance.now();
    await l.twin.start();
    cleanup.push({ what: 'the twin', run: () => l.twin.stop() });

    const secret = nonEmpty(io.env.TWINKIT_JWT_SECRET) ?? randomBytes(32).toString('base64url');
    const fromEnvironment = nonEmpty(io.env.TWINKIT_JWT_SECRET) !== undefined;
    const service = await serveTwin(l.twin, {
      port: options.port,
      dashboard: DASHBOARD_DIR,
      auth: { secret },
      root: ROOT,
      ready: () => !stop.signal.aborted,
    }).catch((error: unknown) => {
      if (error instanceof TwinkitError && error.code === 'IO')
        throw new TwinkitError(
          `${error.message}. Pass --port N for another port, or --port 0 for any free one.`,
          { code: 'IO', cause: error },
        );
      throw error;
    });
    cleanup.push({ what: 'the twin service', run: () => service.close() });
    const tokens = {} as Record<Role, string>;
    for (const role of ROLES)
      tokens[role] = await signToken({ subject: `dev-${role}`, role, secret, expiresIn: TOKEN_LIFETIME });

    io.stdout.write(
      banner({
        options,
        params,
        start,
        mqtt,
        embedded: broker !== undefined,
        plant: p,
        live: l,
        service,
        tokens,
        fromEnvironment,
      }),
    );
    runOptions.onReady?.({ options, params, start, mqtt, broker, plant: p, live: l, service, tokens });

    if (options.forSeconds === undefined)
      reporter = setInterval(() => io.stdout.write(`${progressLine(p, l, startedAt)}\n`), 30_000);
    await new Promise<void>((done) => {
      if (stop.signal.aborted) return done();
      const timer =
        options.forSeconds === undefined ? undefined : setTimeout(done, options.forSeconds * 1000);
      stop.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          done();
        },
        { once: true },
      );
    });
  } catch (error) {
    if (!(error instanceof TwinkitError)) {
      await shutDown(cleanup, io);
      detach();
      throw error;
    }
    io.stderr.write(`${error.message}\n`);
    code = 1;
  } finally {
    clearInterval(reporter);
  }
  const elapsedS = (performance.now() - startedAt) / 1000;
  const failedToStop = await shutDown(cleanup, io);
  detach();
  if (code === 0 && plant !== undefined && live !== undefined)
    io.stdout.write(summary(plant, live, elapsedS));
  return code === 0 && failedToStop ? 1 : code;
}

/** Stops what started, last first; reports (and returns) whether anything failed to stop. */
async function shutDown(cleanup: { what: string; run: () => Promise<void> }[], io: MainIo): Promise<boolean> {
  let failed = false;
  for (const step of cleanup.reverse()) {
    try {
      await step.run();
    } catch (error) {
      failed = true;
      io.stderr.write(`stopping ${step.what} failed: ${(error as Error)?.message ?? String(error)}\n`);
    }
  }
  cleanup.length = 0;
  return failed;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Plant time as "2 d 03:10" from minutes. */
function duration(minutes: number): string {
  const m = Math.floor(minutes);
  const days = Math.floor(m / 1440);
  const hh = String(Math.floor((m % 1440) / 60)).padStart(2, '0');
  const mm = String(m % 60).padStart(2, '0');
  return `${days > 0 ? `${days} d ` : ''}${hh}:${mm}`;
}

function speedText(speed: number): string {
  if (speed === 1) return 'real time';
  const perMinute = speed; // plant minutes per wall minute
  const what =
    perMinute % 60 === 0
      ? `${perMinute / 60} plant hour${perMinute === 60 ? '' : 's'}`
      : `${perMinute} plant minutes`;
  return `${speed}x: ${what} per wall minute`;
}

function banner(b: {
  options: LiveOptions;
  params: FactoryParams;
  start: number;
  mqtt: string;
  embedded: boolean;
  plant: VirtualPlant;
  live: LiveTwin;
  service: TwinService;
  tokens: Record<Role, string>;
  fromEnvironment: boolean;
}): string {
  const { options, params, plant, live, service } = b;
  const lines = [
    `Live factory twin: ${params.machines} machines, ${params.technicians} technicians, seed ${options.seed}, speed ${speedText(options.speed)}`,
    `  plant calendar from ${new Date(b.start).toISOString()} (plant time 0 = now)`,
    `  MQTT broker      ${b.mqtt}${b.embedded ? ' (embedded aedes)' : ''}: telemetry on ${ROOT}/production/line1/machine<n>/telemetry/{vibration,temperature}, PLC state on .../status/state`,
    `  Modbus TCP       ${plant.modbus.host}:${plant.modbus.port}, unit ${plant.modbus.unitId}: machine 1's PLC (holding registers 0 state, 1 vibration mg, 2 temperature 0.01 °C), polled every ${live.pollMs} ms`,
    `  twin             machine 1 over Modbus, machines 2-${params.machines} over MQTT, ${LAG_MS / 1000} wall s behind the plant; state on ${ROOT}/simulation/state/sync`,
    `  service          ${service.url}  (REST ${service.url}/v1, WebSocket ${service.url.replace(/^http/, 'ws')}/v1/live)`,
    '',
    `Dashboard: ${service.url}/`,
    `Development tokens (valid ${TOKEN_LIFETIME}; ${b.fromEnvironment ? 'signed with TWINKIT_JWT_SECRET' : 'signed with a random secret of this run only'}; for development, not production):`,
    ...ROLES.map((role) => `  ${role.padEnd(9)} ${service.url}/#token=${b.tokens[role]}`),
    '',
    options.forSeconds === undefined ? 'Running; stop with Ctrl-C.' : `Running for ${options.forSeconds} s.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function receivedBySource(live: LiveTwin): { mqtt: number; modbus: number } {
  const sources = live.twin.stats().sources;
  const accepted = (name: string) => sources[name]?.stats.accepted ?? 0;
  return { mqtt: accepted(live.mqttSource.name), modbus: accepted(live.modbusSource.name) };
}

function healthText(live: LiveTwin): string {
  const assets = live.twin.state().assets;
  return Object.entries(assets)
    .map(([id, a]) => {
      const h = a.variables.health;
      return h === undefined ? `${id} -` : `${id} ${h.mean.toFixed(0)}±${(2 * h.sd).toFixed(0)}%`;
    })
    .join(', ');
}

function progressLine(plant: VirtualPlant, live: LiveTwin, startedAt: number): string {
  const s = live.twin.stats();
  const wall = (performance.now() - startedAt) / 1000;
  return `[${wall.toFixed(0)} s, plant ${duration(plant.stats().time)}] readings ${s.readings.received}, assimilated ${s.readings.assimilated}; health ${healthText(live)}`;
}

function summary(plant: VirtualPlant, live: LiveTwin, elapsedS: number): string {
  const p = plant.stats();
  const s = live.twin.stats();
  const by = receivedBySource(live);
  const skipped = Object.entries(s.readings.skipped)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `Stopped after ${elapsedS.toFixed(1)} s of wall time, ${duration(p.time)} of plant time.`,
    `Plant: published ${p.published.vibration} vibration, ${p.published.temperature} temperature and ${p.published.state} PLC state readings (${p.publishFailed} failed); ${p.failures} machine failures; ${p.modbusReads} Modbus register reads served`,
    `Twin: ${s.readings.received} readings received (MQTT ${by.mqtt}, Modbus ${by.modbus}), ${s.readings.assimilated} assimilated; skipped: ${skipped || 'none'}; late ${s.readings.late}, duplicate ${s.readings.duplicate}`,
    `  published: ${s.published.state} states, ${s.published.kpis} KPI sets, ${s.published.events} events, ${s.published.scenarios} scenario results (${s.published.failed} failed, ${s.published.dropped} dropped); errors ${s.errors.count}${s.errors.last ? ` (last: ${s.errors.last})` : ''}`,
    `  health at the end: ${healthText(live)}`,
  ];
  return `${lines.join('\n')}\n`;
}

if (
  isMainThread &&
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  runLive(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
