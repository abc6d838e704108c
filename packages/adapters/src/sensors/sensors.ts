import { TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';

/**
 * One sensor of the plant, as the design document's sensor inventory (section 2.1) describes it.
 * Sources, quality rules and the twin's REST `/assets` read it, so a sensor is described once.
 */
export interface SensorSpec {
  /** Unique id, as readings carry it in `sensor_id` (`'TEMP-001'`). */
  readonly id: string;
  /** The topic path its readings are published on (`factory/production/line1/machine/telemetry/temperature`). */
  readonly source: string;
  /** The unit the twin works in, a `mathjs` unit name (`'degC'`, `'A'`, `'g'`, `'bar'`) or `'1'` for a pure number. */
  readonly unit: string;
  /** The valid measurement range `[low, high]` (the range check's default). */
  readonly range?: readonly [number, number];
  /** The nominal sampling rate in hertz. */
  readonly samplingHz?: number;
  /** The stated accuracy, ± in `unit` (a measurement-noise default for estimation). */
  readonly accuracy?: number;
  /** The protocol that brings its readings (`'mqtt'`, `'modbus-tcp'`, `'file'`, ...). */
  readonly protocol?: string;
  /** The asset it sits on (`'line1/machine1'`). */
  readonly asset?: string;
  /** Free text for people: where it is mounted, what it measures. */
  readonly description?: string;
}

/** A registered sensor: its spec, frozen. */
export type Sensor = Readonly<SensorSpec>;

/** The sensor inventory: look-ups by id and by topic. Built by {@link defineSensors}. */
export interface SensorRegistry extends Iterable<Sensor> {
  /** How many sensors are registered. */
  readonly size: number;
  /** Tells whether a sensor with this id is registered. */
  has(id: string): boolean;
  /** Returns the sensor with this id; throws a clear error naming the known ids when there is none. */
  get(id: string): Sensor;
  /** Returns the sensor whose readings are published on `topic`, if any. */
  bySource(topic: string): Sensor | undefined;
  /** Lists the sensors in the order they were defined. */
  list(): readonly Sensor[];
}

const KNOWN_KEYS: readonly string[] = [
  'id',
  'source',
  'unit',
  'range',
  'samplingHz',
  'accuracy',
  'protocol',
  'asset',
  'description',
];

/**
 * Defines the sensor inventory. Ids and topics must be unique; ranges `[low, high]` finite with
 * `low < high`; rates and accuracies positive.
 *
 * @example
 * ```ts
 * const sensors = defineSensors([
 *   { id: 'TEMP-001', source: 'factory/production/line1/machine/telemetry/temperature',
 *     unit: 'degC', range: [0, 150], samplingHz: 1, accuracy: 0.5, protocol: 'mqtt' },
 * ]);
 * sensors.get('TEMP-001').range; // [0, 150]
 * ```
 */
export function defineSensors(specs: readonly SensorSpec[]): SensorRegistry {
  const api = 'defineSensors(specs)';
  if (!Array.isArray(specs)) throw invalidArgument(api, 'specs must be an array of sensor specs', specs);
  const byId = new Map<string, Sensor>();
  const bySource = new Map<string, Sensor>();
  specs.forEach((spec, i) => {
    const at = `${api}: sensor [${i}]`;
    if (spec === null || typeof spec !== 'object') throw invalidArgument(at, 'must be an object', spec);
    rejectUnknownKeys(
      at,
      spec,
      KNOWN_KEYS,
      "{ id: 'TEMP-001', source: 'factory/line1/machine1/telemetry/temperature', unit: 'degC' }",
    );
    for (const key of ['id', 'source', 'unit'] as const) {
      if (typeof spec[key] !== 'string' || spec[key].length === 0)
        throw invalidArgument(at, `${key} must be a non-empty string`, spec[key]);
    }
    if (spec.range !== undefined) {
      const r = spec.range;
      if (
        !Array.isArray(r) ||
        r.length !== 2 ||
        !Number.isFinite(r[0]) ||
        !Number.isFinite(r[1]) ||
        !(r[0] < r[1])
      )
        throw invalidArgument(`${at} (${spec.id})`, 'range must be [low, high] with finite low < high', r);
    }
    for (const key of ['samplingHz', 'accuracy'] as const) {
      const v = spec[key];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0))
        throw invalidArgument(`${at} (${spec.id})`, `${key} must be a finite number > 0`, v);
    }
    if (byId.has(spec.id))
      throw new TwinkitError(
        `${api}: sensor id ${formatValue(spec.id)} is defined twice; ids must be unique.`,
        {
          code: 'DUPLICATE',
        },
      );
    const twin = bySource.get(spec.source);
    if (twin)
      throw new TwinkitError(
        `${api}: sensors ${formatValue(twin.id)} and ${formatValue(spec.id)} share the topic ${formatValue(spec.source)}; give each sensor its own topic.`,
        { code: 'DUPLICATE' },
      );
    const sensor: Sensor = Object.freeze({
      ...spec,
      ...(spec.range ? { range: Object.freeze([spec.range[0], spec.range[1]] as const) } : {}),
    });
    byId.set(sensor.id, sensor);
    bySource.set(sensor.source, sensor);
  });
  const list = Object.freeze([...byId.values()]);
  return {
    size: list.length,
    has: (id) => byId.has(id),
    get(id) {
      const sensor = byId.get(id);
      if (!sensor)
        throw new TwinkitError(
          `SensorRegistry.get(id): no sensor ${formatValue(id)}; known: ${list.map((s) => s.id).join(', ') || 'none'}.`,
          { code: 'NOT_FOUND' },
        );
      return sensor;
    },
    bySource: (topic) => bySource.get(topic),
    list: () => list,
    [Symbol.iterator]: () => list[Symbol.iterator](),
  };
}
