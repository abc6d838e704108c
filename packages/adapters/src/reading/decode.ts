import type { SensorRegistry } from '../sensors';
import { QUALITIES, type Quality, type Reading } from './reading';

/** Why an input could not become a {@link Reading}; sources count rejections under these names. */
export type DecodeRejection =
  | 'malformed_json'
  | 'not_an_object'
  | 'missing_field'
  | 'invalid_value'
  | 'invalid_timestamp'
  | 'invalid_quality'
  | 'invalid_field'
  | 'unknown_sensor';

/** The outcome of {@link decodeReading}: a reading, or the reason and a detail for people. */
export type DecodeResult =
  | { readonly ok: true; readonly reading: Reading }
  | { readonly ok: false; readonly reason: DecodeRejection; readonly detail: string };

/** What {@link decodeReading} knows besides the input. */
export interface DecodeContext {
  /** The topic (or file) the input came from; fills `source` when the input has none. */
  readonly source?: string;
  /** The registry: fills `sensor_id` and `unit` from the topic, and refuses unknown sensors. */
  readonly sensors?: SensorRegistry;
  /** Ingest time, epoch ms; also the timestamp of a bare number. */
  readonly receivedAt: number;
}

// ISO-8601 date-time with a zone (Z or ±hh:mm): a timestamp without one is ambiguous.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const fail = (reason: DecodeRejection, detail: string): DecodeResult => ({ ok: false, reason, detail });

/**
 * Turns one decoded payload (a JSON value) into a {@link Reading}, or says why not. Accepts the
 * design document's telemetry schema (`timestamp`, `value`, optional `source`, `unit`, `quality`,
 * `sensor_id`, `seq`) and a bare finite number on a sensor's topic. Never returns a NaN reading.
 *
 * @example
 * ```ts
 * const r = decodeReading({ timestamp: '2024-01-15T10:30:45.123Z', value: 78.5, sensor_id: 'TEMP-001',
 *   unit: 'degC', quality: 'good' }, { source: 'factory/line1/machine1/telemetry/temperature', receivedAt: Date.now() });
 * if (r.ok) console.log(r.reading.value); else console.log(r.reason, r.detail);
 * ```
 */
export function decodeReading(input: unknown, context: DecodeContext): DecodeResult {
  const sensorOfTopic = context.source !== undefined ? context.sensors?.bySource(context.source) : undefined;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return fail('invalid_value', `value ${input} is not finite`);
    if (!sensorOfTopic)
      return fail(
        'unknown_sensor',
        `a bare number needs a registered sensor on its topic ${JSON.stringify(context.source)}`,
      );
    return {
      ok: true,
      reading: {
        timestamp: new Date(context.receivedAt).toISOString(),
        time: context.receivedAt,
        source: sensorOfTopic.source,
        value: input,
        unit: sensorOfTopic.unit,
        quality: 'good',
        sensor_id: sensorOfTopic.id,
        receivedAt: context.receivedAt,
      },
    };
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    return fail('not_an_object', `expected a reading object or a number, got ${describe(input)}`);
  const o = input as Record<string, unknown>;

  if (!('value' in o)) return fail('missing_field', 'value is missing');
  const value = o.value;
  if (typeof value !== 'number' || !Number.isFinite(value))
    return fail('invalid_value', `value must be a finite number, got ${describe(value)}`);

  if (!('timestamp' in o)) return fail('missing_field', 'timestamp is missing');
  const timestamp = o.timestamp;
  if (typeof timestamp !== 'string' || !ISO_WITH_ZONE.test(timestamp))
    return fail('invalid_timestamp', `timestamp must be ISO-8601 with a zone, got ${describe(timestamp)}`);
  const time = parseTime(timestamp);
  if (!Number.isFinite(time)) return fail('invalid_timestamp', `timestamp ${timestamp} is not a real date`);

  let quality: Quality = 'good';
  if (o.quality !== undefined) {
    if (typeof o.quality !== 'string' || !(QUALITIES as readonly string[]).includes(o.quality))
      return fail(
        'invalid_quality',
        `quality must be one of ${QUALITIES.join(', ')}, got ${describe(o.quality)}`,
      );
    quality = o.quality as Quality;
  }

  for (const key of ['source', 'unit', 'sensor_id'] as const) {
    if (o[key] !== undefined && (typeof o[key] !== 'string' || o[key] === ''))
      return fail('invalid_field', `${key} must be a non-empty string, got ${describe(o[key])}`);
  }
  let seq: number | undefined;
  if (o.seq !== undefined) {
    if (typeof o.seq !== 'number' || !Number.isSafeInteger(o.seq) || o.seq < 0)
      return fail('invalid_field', `seq must be an integer >= 0, got ${describe(o.seq)}`);
    seq = o.seq;
  }

  const source = (o.source as string | undefined) ?? context.source;
  let sensorId = o.sensor_id as string | undefined;
  let unit = o.unit as string | undefined;
  const registry = context.sensors;
  if (registry) {
    const sensor =
      sensorId !== undefined ? (registry.has(sensorId) ? registry.get(sensorId) : undefined) : sensorOfTopic;
    if (!sensor)
      return fail(
        'unknown_sensor',
        sensorId !== undefined
          ? `sensor_id ${JSON.stringify(sensorId)} is not in the sensor registry`
          : `no sensor_id, and no registered sensor on topic ${JSON.stringify(source)}`,
      );
    sensorId = sensor.id;
    unit ??= sensor.unit;
  }
  if (sensorId === undefined)
    return fail('missing_field', 'sensor_id is missing (and no registry to find it by topic)');
  if (source === undefined) return fail('missing_field', 'source is missing');
  if (unit === undefined) return fail('missing_field', 'unit is missing (and no registry to give it)');

  const reading: Reading = {
    timestamp,
    time,
    source,
    value,
    unit,
    quality,
    sensor_id: sensorId,
    receivedAt: context.receivedAt,
    ...(seq !== undefined ? { seq } : {}),
  };
  return { ok: true, reading };
}

/**
 * Decodes a raw payload (text or bytes of JSON, or a bare number) into a {@link Reading}, or says
 * why not; `malformed_json` when it does not parse.
 *
 * @example
 * ```ts
 * decodePayload('{"timestamp":"2024-01-15T10:30:45Z","value":1,"sensor_id":"A","unit":"A"}', { source: 'x/y/z/telemetry/current', receivedAt: Date.now() });
 * ```
 */
export function decodePayload(payload: string | Uint8Array, context: DecodeContext): DecodeResult {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail('malformed_json', `${(e as Error).message} in ${JSON.stringify(text.slice(0, 60))}`);
  }
  return decodeReading(parsed, context);
}

/**
 * `Date.parse` of a timestamp the ISO pattern accepted. `Date.parse` is most of a reading's decoding
 * time (~0.2 us of ~0.35); the common form, `YYYY-MM-DDTHH:MM:SS[.f|.ff|.fff]Z` with a day up to 28,
 * is computed with `Date.UTC` instead, which gives the same number; every other form (offsets, more
 * digits, days 29 to 31, years before 100, leap seconds) goes to `Date.parse` itself.
 */
function parseTime(t: string): number {
  const n = t.length;
  if (n < 20 || n > 24 || n === 21 || t.charCodeAt(n - 1) !== 90 /* Z */ || t.charCodeAt(16) !== 58 /* : */)
    return Date.parse(t);
  if (n > 20 && t.charCodeAt(19) !== 46 /* . */) return Date.parse(t);
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  const hour = digits(t, 11, 2);
  const minute = digits(t, 14, 2);
  const second = digits(t, 17, 2);
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 28 || hour > 23 || minute > 59 || second > 59)
    return Date.parse(t);
  const ms =
    n === 20 ? 0 : n === 22 ? digits(t, 20, 1) * 100 : n === 23 ? digits(t, 20, 2) * 10 : digits(t, 20, 3);
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The decimal number of the `count` digits at `at` (the pattern has checked they are digits). */
function digits(t: string, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) v = v * 10 + t.charCodeAt(i) - 48;
  return v;
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
