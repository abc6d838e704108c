/**
 * Readings and events: the telemetry and event schemas of the design document (section 4.2), as
 * they travel between sources, quality checks, twins and sinks.
 */

/**
 * How far a reading can be trusted. `'good'`: measured and checked; `'uncertain'`: measured but
 * flagged by the device or a rule; `'bad'`: known wrong (kept only to be counted or stored);
 * `'stale'`: not measured now, filled from the last value by a rule.
 */
export type Quality = 'good' | 'uncertain' | 'bad' | 'stale';

/** The qualities, in order from most to least trusted. */
export const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad', 'stale'];

/**
 * One sensor reading in the design document's telemetry schema, plus the times a twin needs.
 *
 * @example
 * ```ts
 * const r: Reading = {
 *   timestamp: '2024-01-15T10:30:45.123Z', time: Date.parse('2024-01-15T10:30:45.123Z'),
 *   source: 'factory/production/line1/machine/telemetry/temperature', value: 78.5, unit: 'degC',
 *   quality: 'good', sensor_id: 'TEMP-001', receivedAt: Date.now(),
 * };
 * ```
 */
export interface Reading {
  /** When the sensor measured the value (source time), ISO-8601 with a zone, as received. */
  readonly timestamp: string;
  /** `timestamp` parsed once: epoch milliseconds. */
  readonly time: number;
  /** Where the reading came from: a topic path such as `factory/production/line1/machine/telemetry/temperature`. */
  readonly source: string;
  /** The measured value, always a finite number. */
  readonly value: number;
  /** The value's unit as given by the source or the sensor registry (`'degC'`, `'A'`, `'g'`, ...). */
  readonly unit: string;
  /** How far the value can be trusted. */
  readonly quality: Quality;
  /** The id of the sensor in the registry (`'TEMP-001'`). */
  readonly sensor_id: string;
  /** When this process received the reading (ingest time, epoch ms), distinct from `time`. */
  readonly receivedAt: number;
  /** The source's sequence number of this reading, when the source numbers them (gaps = losses). */
  readonly seq?: number;
}

/** The severities of a {@link TwinEvent}. */
export type Severity = 'info' | 'warning' | 'critical';

/**
 * Something that happened, in the design document's event schema: a machine failure, a sensor
 * that went stale, a link that was cut.
 *
 * @example
 * ```ts
 * const e: TwinEvent = {
 *   event_id: 'evt_20240115_001234', timestamp: '2024-01-15T10:30:45.123Z',
 *   event_type: 'sensor_stale', severity: 'warning', source: 'TEMP-001',
 *   details: { silentForMs: 61_000 },
 * };
 * ```
 */
export interface TwinEvent {
  /** A unique id of the event. */
  readonly event_id: string;
  /** When it happened, ISO-8601. */
  readonly timestamp: string;
  /** What happened: `'machine_failure'`, `'sensor_stale'`, `'source_disconnected'`, ... */
  readonly event_type: string;
  /** How urgent it is. */
  readonly severity: Severity;
  /** The asset or sensor it concerns. */
  readonly source: string;
  /** Event-specific facts. */
  readonly details: Readonly<Record<string, unknown>>;
}

let eventCounter = 0;

/**
 * Makes a {@link TwinEvent} with a fresh `event_id` (`evt_<yyyymmdd>_<counter>`) stamped at `time`.
 *
 * @example
 * ```ts
 * const e = makeEvent('sensor_stale', 'warning', 'TEMP-001', Date.now(), { silentForMs: 61_000 });
 * ```
 */
export function makeEvent(
  eventType: string,
  severity: Severity,
  source: string,
  time: number,
  details: Record<string, unknown> = {},
): TwinEvent {
  const timestamp = new Date(time).toISOString();
  eventCounter += 1;
  const day = timestamp.slice(0, 10).replaceAll('-', '');
  return {
    event_id: `evt_${day}_${String(eventCounter).padStart(6, '0')}`,
    timestamp,
    event_type: eventType,
    severity,
    source,
    details,
  };
}
