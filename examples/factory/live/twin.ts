/**
 * The live factory twin: `createTwin` fed by MQTT (machines 2..n) and Modbus TCP (machine 1's
 * PLC), quality-checked, corrected by the factory's EKF, paced to the wall clock at the plant's
 * speed, publishing its state, KPIs, events and what-ifs over MQTT.
 */
import {
  type AssimilateFunction,
  createTwin,
  defineSensors,
  type QualityRules,
  type QualitySource,
  qualityCheck,
  type SensorRegistry,
  type Twin,
  type TwinAsset,
} from '@twinkit/adapters';
import { type ModbusRegister, modbusSource } from '@twinkit/adapters/modbus';
import { type MqttSink, mqttSink, mqttSource } from '@twinkit/adapters/mqtt';
import { invalidArgument } from '../../support/invalid-argument';
import { type Factory, factory } from '../model';
import type { FactoryParams } from '../params';
import {
  assetId,
  type FactoryAssimilation,
  factoryAssimilation,
  factoryKpis,
  factoryScenarioOptions,
  factorySensors,
  sensorId,
  twinParams,
} from '../twin';
import { PLC_REGISTERS, PLC_UNIT_ID } from './plant';

/** The topic root of the plant and the twin. */
export const ROOT = 'factory';

/** Wall milliseconds the twin's clock stays behind the plant's (see `createTwin`'s `clock.delayMs`). */
export const LAG_MS = 1000;

/**
 * Machine 1's PLC registers as the twin reads them (0-based protocol addresses, holding
 * registers): the run state, vibration in milli-g and temperature in hundredths of a degree.
 */
export const PLC_REGISTER_MAP: readonly ModbusRegister[] = [
  { sensor: sensorId('state', 0), address: PLC_REGISTERS.state, type: 'uint16' },
  { sensor: sensorId('vibration', 0), address: PLC_REGISTERS.vibration, type: 'uint16', scale: 0.001 },
  { sensor: sensorId('temperature', 0), address: PLC_REGISTERS.temperature, type: 'int16', scale: 0.01 },
];

/**
 * The live twin's sensor inventory: {@link factorySensors} with machine 1's three sensors read
 * from its PLC over Modbus (protocol `'modbus'`), the others over MQTT.
 */
export function liveSensors(params: Pick<FactoryParams, 'machines'>): SensorRegistry {
  const register = new Map(PLC_REGISTER_MAP.map((r) => [r.sensor, r.address]));
  return defineSensors(
    factorySensors(params, ROOT)
      .list()
      .map((s) => {
        const address = register.get(s.id);
        return address === undefined
          ? { ...s }
          : {
              ...s,
              protocol: 'modbus',
              description: `${s.description ?? s.id} (machine 1's PLC, Modbus holding register ${address}, unit ${PLC_UNIT_ID})`,
            };
      }),
  );
}

/** The live assimilation and what it counted. */
export interface LiveAssimilation {
  /** The function for `createTwin({ assimilate })`. */
  readonly assimilate: AssimilateFunction<Factory>;
  /** The factory assimilation it hands readings on to (its counts). */
  readonly inner: FactoryAssimilation;
}

const SENSOR = /^(VIB|TEMP|PLC)-(\d{3})$/;

/**
 * The factory's assimilation ({@link factoryAssimilation}, an EKF per machine health, failures
 * from the PLC's stop reports) for readings that arrive live:
 * - a PLC reports its run state periodically, and a polled register holds it as a level: only a
 *   change is a report (a stop fails the twin's machine once; a repeat is skipped, counted
 *   `state_unchanged`);
 * - a polled register (`polled`, machine 1's over Modbus) holds the last sample until the next
 *   one: only a change of its value is a new sample; the first value polled (what the register
 *   held when the twin came, its power-on value before the PLC's first sample) and a value equal
 *   to the last polled one are skipped and counted `register_unchanged` (two equal samples in a
 *   row, about 1 in 300 for milli-g, lose the second); a new sample taken while the PLC reports the machine stopped is `uncertain`, as the
 *   plant's MQTT gateway flags such readings.
 */
export function liveAssimilation(params: FactoryParams, polled: ReadonlySet<string>): LiveAssimilation {
  const inner = factoryAssimilation(params, { keepEstimates: false });
  const lastState = new Map<number, number>();
  const lastPolled = new Map<string, number>();
  const assimilate: AssimilateFunction<Factory> = (ctx, reading) => {
    const match = SENSOR.exec(reading.sensor_id);
    if (match === null) {
      inner.assimilate(ctx, reading); // it refuses the reading, naming the rule
      return;
    }
    const machine = Number(match[2]) - 1;
    if (match[1] === 'PLC') {
      const before = lastState.get(machine);
      lastState.set(machine, reading.value);
      if (before === reading.value) {
        ctx.skip('state_unchanged');
        return;
      }
      inner.assimilate(ctx, reading);
      return;
    }
    if (polled.has(reading.sensor_id)) {
      const before = lastPolled.get(reading.sensor_id);
      lastPolled.set(reading.sensor_id, reading.value);
      // The first value polled is what the register held when the twin came: the baseline, not a
      // sample taken now (before the PLC's first sample it holds its power-on value).
      if (before === undefined || before === reading.value) {
        ctx.skip('register_unchanged');
        return;
      }
      if (lastState.get(machine) === 0 && reading.quality === 'good') {
        inner.assimilate(ctx, { ...reading, quality: 'uncertain' });
        return;
      }
    }
    inner.assimilate(ctx, reading);
  };
  return { assimilate, inner };
}

/** Options of {@link createLiveTwin}. */
export interface LiveTwinOptions {
  /** The plant's parameters (the twin makes its own with `twinParams`). */
  readonly params: FactoryParams;
  /** The twin's seed. */
  readonly seed: number;
  /** Plant time per wall time. */
  readonly speed: number;
  /** The calendar instant of simulated time 0 (the plant's too). */
  readonly start: number;
  /** The MQTT broker's URL. */
  readonly mqtt: string;
  /** Machine 1's PLC. */
  readonly modbus: { readonly host: string; readonly port: number; readonly unitId?: number };
  /**
   * The PLC's clock (epoch ms): its readings are stamped with it. A PLC keeps plant time; the
   * virtual plant's runs at `speed`, so this is its calendar, not `Date.now`.
   */
  readonly plantClock: () => number;
  /** Plant minutes between the PLCs' periodic state reports (for the heartbeat limit; default the vibration interval). */
  readonly statusEveryMin?: number;
}

/** The live twin and its parts. */
export interface LiveTwin {
  readonly twin: Twin<FactoryParams, Factory>;
  /** The MQTT source (machines 2..n), as checked by its quality rules. */
  readonly mqttSource: QualitySource;
  /** The Modbus source (machine 1's PLC), as checked by its quality rules. */
  readonly modbusSource: QualitySource;
  readonly sink: MqttSink;
  /** Every sensor of the line. */
  readonly sensors: SensorRegistry;
  readonly assimilation: LiveAssimilation;
  /** The quality rules in force (each source is checked against its own sensors). */
  readonly quality: Omit<QualityRules, 'sensors'>;
  /** Modbus poll period, wall ms. */
  readonly pollMs: number;
}

/**
 * Builds (does not start) the live factory twin: an `mqttSource` on the telemetry and state
 * topics of machines 2..n and a `modbusSource` polling machine 1's PLC, each checked by the
 * quality rules against its own sensors (registry ranges; strict time order per sensor; a
 * wall-clock heartbeat of three reporting periods; no unit conversion, the telemetry's units are
 * its own; no spike filter, the EKF weighs the noise and a PLC's stop is no spike);
 * {@link liveAssimilation}; the wall clock at `speed` from `start`; state, KPIs, events and scenario
 * results published under `factory/` through an `mqttSink`; the model's KPIs; crew what-ifs with
 * `factoryScenarioOptions`.
 */
export function createLiveTwin(options: LiveTwinOptions): LiveTwin {
  const api = 'createLiveTwin(options)';
  const { params, speed, start } = options;
  if (params.machines < 2)
    throw invalidArgument(
      api,
      'params.machines must be at least 2: machine 1 is read over Modbus, the others over MQTT',
      params.machines,
    );
  const sensors = liveSensors(params);
  const byProtocol = (protocol: string) =>
    defineSensors(sensors.list().filter((s) => s.protocol === protocol));
  const mqttSensors = byProtocol('mqtt');
  const plcSensors = byProtocol('modbus');
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const mqtt = mqttSource({
    url: options.mqtt,
    clientId: `twinkit-factory-twin-${tag}`,
    sensors: mqttSensors,
  });
  // Poll at least twice per vibration period of the plant (no sample is missed), at most once a
  // wall second, never faster than every 20 ms.
  const pollMs = Math.round(Math.min(1000, Math.max(20, (params.vibrationInterval * 60_000) / speed / 2)));
  const modbus = modbusSource({
    host: options.modbus.host,
    port: options.modbus.port,
    unitId: options.modbus.unitId ?? PLC_UNIT_ID,
    addressing: 0,
    pollMs,
    registers: PLC_REGISTER_MAP,
    sensors: plcSensors,
    clock: options.plantClock,
    name: `modbus machine1 PLC ${options.modbus.host}:${options.modbus.port}`,
  });
  const sink = mqttSink({ url: options.mqtt, clientId: `twinkit-factory-twin-${tag}-out` });
  const statusEvery = options.statusEveryMin ?? params.vibrationInterval;
  const longestPeriodMin = Math.max(params.vibrationInterval, params.temperatureInterval, statusEvery);
  const quality: Omit<QualityRules, 'sensors'> = {
    units: false,
    range: true,
    monotonic: { reorderWindowMs: 0 },
    spike: false,
    forwardFill: false,
    heartbeat: {
      clock: 'wall',
      limitMs: Math.max(2000, Math.round((3 * longestPeriodMin * 60_000) / speed), 3 * pollMs),
    },
  };
  // One check per source with that source's sensors: a heartbeat over the whole line would find
  // the other source's sensors silent.
  const checkedMqtt = qualityCheck(mqtt, { ...quality, sensors: mqttSensors });
  const checkedModbus = qualityCheck(modbus, { ...quality, sensors: plcSensors });
  const polled = new Set(PLC_REGISTER_MAP.map((r) => r.sensor));
  const assimilation = liveAssimilation(params, polled);
  const assets: TwinAsset[] = Array.from({ length: params.machines }, (_, i) => ({
    id: assetId(i),
    name: `Machine ${i + 1}`,
    type: 'machine',
    topic: `${ROOT}/production/line1/machine${i + 1}`,
    sensors: sensors.list().filter((s) => s.asset === assetId(i)),
  }));
  const twin = createTwin({
    model: factory,
    params: twinParams(params),
    seed: options.seed,
    sources: [checkedMqtt, checkedModbus],
    assimilate: assimilation.assimilate,
    sinks: [sink],
    // The twin runs a wall second behind the plant's calendar: a reading stamped now that takes up
    // to that long to arrive (the broker, a poll, a busy event loop) still finds the twin before
    // its time; later ones are counted late.
    clock: { mode: 'wall', speed, start, delayMs: LAG_MS },
    time: { epoch: start, unitMs: 60_000 },
    // About once a wall second for the state and every two for the KPIs, whatever the speed.
    publish: { root: ROOT, stateEveryS: Math.max(10, speed), kpisEveryS: Math.max(60, 2 * speed) },
    kpis: factoryKpis,
    assets,
    scenarios: factoryScenarioOptions,
  });
  return {
    twin,
    mqttSource: checkedMqtt,
    modbusSource: checkedModbus,
    sink,
    sensors,
    assimilation,
    quality,
    pollMs,
  };
}
