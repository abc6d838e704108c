/**
 * The virtual plant of the live factory: the hidden-truth model (`factory` with `record: true` and
 * failures from health, as `runPlant` runs it) paced to the wall clock at a speed-up, publishing
 * every new reading over MQTT on the design document's topics and exposing machine 1's PLC
 * registers as a Modbus TCP server. The twin never sees the model, only what it publishes.
 */
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Reading } from '@twinkit/adapters';
import { type MqttSink, mqttSink } from '@twinkit/adapters/mqtt';
import { RandomStream, type Simulation, TwinkitError } from '@twinkit/core';
import { ServerTCP } from 'modbus-serial';
import { invalidArgument } from '../../support/invalid-argument';
import { type Factory, factory, type PlantReading } from '../model';
import type { FactoryParams } from '../params';
import { SENSOR_UNITS, type SensorKind, temperatureOf, vibrationOf } from '../sensors';
import { liveTopic, plantInitialHealth, sensorId } from '../twin';

/**
 * Machine 1's PLC registers (holding registers, 0-based protocol addresses, Modbus unit 1), as
 * the plant serves them and the twin's `modbusSource` reads them.
 */
export const PLC_REGISTERS = {
  /** Run state: 1 running, 0 stopped (uint16). */
  state: 0,
  /** The last vibration reading in milli-g (g × 1000, uint16). */
  vibration: 1,
  /** The last temperature reading in hundredths of a degree Celsius (°C × 100, int16). */
  temperature: 2,
} as const;

/** The Modbus unit id of machine 1's PLC. */
export const PLC_UNIT_ID = 1;

/** Options of {@link startVirtualPlant}. */
export interface VirtualPlantOptions {
  /** The plant's parameters (its initial health is drawn from `seed` unless given). */
  readonly params: FactoryParams;
  /** Seed of the hidden truth. */
  readonly seed: number;
  /** Plant time per wall time (60: an hour per wall minute). */
  readonly speed: number;
  /** The calendar instant (epoch ms) of the plant's time 0, the moment {@link VirtualPlant.run} is called. */
  readonly start: number;
  /** The MQTT broker to publish to. */
  readonly mqtt: string;
  /**
   * Plant minutes between the PLCs' periodic state reports (default: the vibration interval). A
   * PLC reports its run state on every change and on this period, so that a silent link shows.
   */
  readonly statusEveryMin?: number;
  /** The address of the Modbus TCP server (default `'127.0.0.1'`; its port is any free one). */
  readonly modbusHost?: string;
}

/** The plant's counters. */
export interface VirtualPlantStats {
  /** Plant time, minutes. */
  readonly time: number;
  /** Readings handed to the MQTT sink, by kind. */
  readonly published: Readonly<Record<SensorKind, number>>;
  /** Sink writes that failed (counted, the plant runs on). */
  readonly publishFailed: number;
  /** Failures of the plant's machines so far. */
  readonly failures: number;
  /** Modbus register reads served. */
  readonly modbusReads: number;
  /** Modbus requests refused (an address outside the register map). */
  readonly modbusRefused: number;
}

/** A running virtual plant. */
export interface VirtualPlant {
  /** The hidden-truth simulation (tests and the closing summary only; the twin never reads it). */
  readonly sim: Simulation<Factory>;
  /** The Modbus TCP server of machine 1's PLC. */
  readonly modbus: { readonly host: string; readonly port: number; readonly unitId: number };
  /** The plant's calendar now, epoch ms: `start + wall time since run() × speed` (before run(): `start`). */
  calendarNow(): number;
  /** Starts the plant's clock: plant time 0 is now, and it runs at `speed` from here. */
  run(): void;
  /** The counters. */
  stats(): VirtualPlantStats;
  /** Stops the clock, flushes and closes the MQTT sink and closes the Modbus server. */
  stop(): Promise<void>;
}

/** Longest wall wait of the plant's pacing loop, ms. */
const SLICE_MS = 20;

/**
 * Starts the virtual plant: builds the hidden-truth factory, connects its MQTT publisher and opens
 * machine 1's Modbus TCP server on a free port. The clock stands at time 0 until
 * {@link VirtualPlant.run}; then the plant advances to `start + elapsed × speed` in slices of at
 * most 20 ms of wall time and publishes each new reading stamped with its own calendar time:
 * vibration and temperature on `factory/production/line1/machine<n>/telemetry/<kind>` (QoS 0), the
 * PLC state on `.../status/state` (QoS 1, retained), payloads in the telemetry schema with a
 * per-sensor `seq` (so the twin counts losses).
 */
export async function startVirtualPlant(options: VirtualPlantOptions): Promise<VirtualPlant> {
  const api = 'startVirtualPlant(options)';
  const { params, seed, speed, start } = options;
  if (!(typeof speed === 'number' && speed > 0 && Number.isFinite(speed)))
    throw invalidArgument(api, 'speed must be a finite number > 0', speed, 'Pass e.g. speed: 60.');
  if (!Number.isFinite(start)) throw invalidArgument(api, 'start must be epoch milliseconds', start);
  const statusEvery = options.statusEveryMin ?? params.vibrationInterval;
  if (!(statusEvery > 0))
    throw invalidArgument(api, 'statusEveryMin must be a number of plant minutes > 0', statusEvery);
  const host = options.modbusHost ?? '127.0.0.1';

  const initialHealth = params.initialHealth ?? plantInitialHealth(params, seed);
  const sim = factory.create({
    seed,
    params: { ...params, initialHealth, record: true, failures: 'health' },
  });
  const m = sim.model;

  // ------------------------------------------------------------------ Modbus: machine 1's PLC
  // At power-on the PLC holds a first scan of its sensors (its own noise, drawn from a stream of
  // its own: the model's streams, and so the plant's truth, are untouched).
  const powerOn = new RandomStream({ seed, name: 'plant/plc-power-on', replication: 0, forkPath: '' });
  const h0 = initialHealth[0] as number;
  const registers = [
    1,
    clamp(Math.round((vibrationOf(h0) + powerOn.normal(0, params.vibrationNoise)) * 1000), 0, 0xffff),
    clamp(
      Math.round((temperatureOf(h0) + powerOn.normal(0, params.temperatureNoise)) * 100),
      -0x8000,
      0x7fff,
    ) & 0xffff,
  ];
  let modbusReads = 0;
  let modbusRefused = 0;
  const refuse = (address: number) => {
    modbusRefused += 1;
    // modbus-serial answers an error carrying modbusErrorCode with that exception: 2, illegal data address.
    throw Object.assign(new Error(`no register at ${address}`), { modbusErrorCode: 2 });
  };
  const read = (address: number) => {
    const value = registers[address];
    if (value === undefined) return refuse(address);
    modbusReads += 1;
    return value;
  };
  const server = await listenModbus(host, {
    getHoldingRegister: (address: number) => read(address),
    getMultipleHoldingRegisters: (address: number, length: number) =>
      Array.from({ length }, (_, k) => read(address + k)),
  });

  // ------------------------------------------------------------------ MQTT
  const sink: MqttSink = mqttSink({
    url: options.mqtt,
    clientId: `twinkit-virtual-plant-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    statusTopic: false,
  });
  try {
    await sink.start();
  } catch (error) {
    await closeModbus(server.server);
    throw new TwinkitError(
      `${api}: cannot publish to the MQTT broker ${options.mqtt} (${(error as Error).message}). Check that it runs, or leave --mqtt out to start an embedded one.`,
      { code: 'IO', cause: error },
    );
  }
  const published: Record<SensorKind, number> = { vibration: 0, temperature: 0, state: 0 };
  let publishFailed = 0;
  const seq = new Map<string, number>();
  const calendarOf = (t: number) => start + t * 60_000;

  const publish = (r: Pick<PlantReading, 't' | 'machine' | 'kind' | 'value' | 'quality'>) => {
    const id = sensorId(r.kind, r.machine);
    const n = (seq.get(id) ?? 0) + 1;
    seq.set(id, n);
    const time = calendarOf(r.t);
    const reading: Reading = {
      timestamp: new Date(time).toISOString(),
      time,
      source: liveTopic(r.kind, r.machine),
      value: r.value,
      unit: SENSOR_UNITS[r.kind],
      quality: r.quality,
      sensor_id: id,
      receivedAt: time,
      seq: n,
    };
    published[r.kind] += 1;
    sink.write({ kind: 'reading', reading }).catch(() => {
      publishFailed += 1;
    });
    if (r.machine === 0) {
      // Machine 1's PLC holds its latest values in its registers.
      if (r.kind === 'state') registers[PLC_REGISTERS.state] = r.value === 0 ? 0 : 1;
      else if (r.kind === 'vibration')
        registers[PLC_REGISTERS.vibration] = clamp(Math.round(r.value * 1000), 0, 0xffff);
      else registers[PLC_REGISTERS.temperature] = clamp(Math.round(r.value * 100), -0x8000, 0x7fff) & 0xffff;
    }
  };

  /** Publishes the readings the model recorded since the last call, in time order. */
  const flush = () => {
    if (m.telemetry.length === 0) return;
    const recorded = m.telemetry.splice(0);
    for (const r of recorded) publish(r);
    // The trace and walks are not needed live: keep memory flat however long the plant runs.
    m.trace.length = 0;
    m.walks.length = 0;
  };

  /** Every PLC's periodic report of its run state. */
  const reportStates = (t: number) => {
    m.machines.forEach((machine, i) => {
      publish({ t, machine: i, kind: 'state', value: machine.down ? 0 : 1, quality: 'good' });
    });
  };

  let wall0: number | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let loopError: unknown;
  const calendarNow = () => (wall0 === undefined ? start : start + (performance.now() - wall0) * speed);

  const pace = async () => {
    let nextStatus = statusEvery;
    while (running) {
      const target = (calendarNow() - start) / 60_000;
      try {
        while (nextStatus <= target) {
          if (nextStatus > sim.now) sim.advanceTo(nextStatus);
          flush();
          reportStates(nextStatus);
          nextStatus += statusEvery;
        }
        if (target > sim.now) sim.advanceTo(target);
        flush();
      } catch (error) {
        loopError = error;
        running = false;
        break;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SLICE_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };

  let stopping: Promise<void> | undefined;
  return {
    sim,
    modbus: { host, port: server.port, unitId: PLC_UNIT_ID },
    calendarNow,
    run() {
      if (wall0 !== undefined)
        throw new TwinkitError(`${api}: run(): the plant runs already; it runs once.`, {
          code: 'INVALID_STATE',
        });
      wall0 = performance.now();
      running = true;
      reportStates(0);
      loop = pace();
    },
    stats() {
      const failures = m.machines.reduce((s, machine) => s + machine.failures, 0);
      return {
        time: sim.now,
        published: { ...published },
        publishFailed,
        failures,
        modbusReads,
        modbusRefused,
      };
    },
    stop() {
      stopping ??= (async () => {
        running = false;
        wake?.();
        await loop;
        await sink.close();
        await closeModbus(server.server);
        if (loopError !== undefined)
          throw new TwinkitError(
            `${api}: the plant's simulation failed at plant time ${sim.now.toFixed(1)} min: ${(loopError as Error).message ?? String(loopError)}`,
            { code: 'INVALID_STATE', cause: loopError },
          );
      })();
      return stopping;
    },
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** A free TCP port on `host` (the system picks it; modbus-serial's server takes no port 0). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Opens a modbus-serial TCP server on a free port, retrying when another process took it first. */
async function listenModbus(
  host: string,
  vector: ConstructorParameters<typeof ServerTCP>[0],
): Promise<{ server: ServerTCP; port: number }> {
  let last: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(host);
    const server = new ServerTCP(vector, { host, port, unitID: PLC_UNIT_ID });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('initialized', () => resolve());
        server.once('serverError', reject);
      });
      // A client's broken socket must not crash the plant.
      server.on('socketError', () => {});
      server.on('serverError', () => {});
      return { server, port };
    } catch (error) {
      last = error;
      await closeModbus(server);
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
    }
  }
  throw new TwinkitError(
    `startVirtualPlant(options): cannot open machine 1's Modbus TCP server on ${host} (${(last as Error)?.message ?? String(last)}).`,
    { code: 'IO', cause: last },
  );
}

function closeModbus(server: ServerTCP): Promise<void> {
  return new Promise<void>((resolve) => {
    try {
      server.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
