import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSensors } from '../sensors';
import { messageBody } from '../sink';
import { type DecodeRejection, decodePayload, decodeReading } from './decode';
import { makeEvent, QUALITIES, type Reading } from './reading';

const TOPIC = 'factory/production/line1/machine/telemetry/temperature';
const sensors = defineSensors([{ id: 'TEMP-001', source: TOPIC, unit: 'degC', range: [0, 150] }]);
const RECEIVED = Date.parse('2024-01-15T10:30:46Z');
const good = {
  timestamp: '2024-01-15T10:30:45.123Z',
  source: TOPIC,
  value: 78.5,
  unit: 'degC',
  quality: 'good',
  sensor_id: 'TEMP-001',
};

function reasonOf(input: unknown, context: Parameters<typeof decodeReading>[1] = { receivedAt: RECEIVED }) {
  const r = decodeReading(input, context);
  return r.ok ? 'ok' : r.reason;
}

describe('decodeReading', () => {
  it('decodes the telemetry schema of design document 4.2, times parsed', () => {
    const r = decodeReading({ ...good, seq: 7 }, { receivedAt: RECEIVED });
    expect(r).toEqual({
      ok: true,
      reading: { ...good, quality: 'good', time: Date.parse(good.timestamp), receivedAt: RECEIVED, seq: 7 },
    });
  });

  it('takes a zone as Z or an offset, and defaults quality to good', () => {
    const r = decodeReading(
      { ...good, timestamp: '2024-01-15T11:30:45+01:00', quality: undefined },
      { receivedAt: 0 },
    );
    expect(r.ok && r.reading.time).toBe(Date.parse('2024-01-15T10:30:45Z'));
    expect(r.ok && r.reading.quality).toBe('good');
  });

  it('fills sensor_id and unit from the registry by topic, and source from the context', () => {
    const { sensor_id: _s, unit: _u, source: _src, ...bare } = good;
    const r = decodeReading(bare, { source: TOPIC, sensors, receivedAt: RECEIVED });
    expect(r.ok && [r.reading.sensor_id, r.reading.unit, r.reading.source]).toEqual([
      'TEMP-001',
      'degC',
      TOPIC,
    ]);
  });

  it('decodes a bare number on a registered topic, stamped at its arrival', () => {
    const r = decodeReading(21.5, { source: TOPIC, sensors, receivedAt: RECEIVED });
    expect(r).toEqual({
      ok: true,
      reading: {
        timestamp: new Date(RECEIVED).toISOString(),
        time: RECEIVED,
        source: TOPIC,
        value: 21.5,
        unit: 'degC',
        quality: 'good',
        sensor_id: 'TEMP-001',
        receivedAt: RECEIVED,
      },
    });
    expect(reasonOf(21.5, { source: 'factory/x/y/telemetry/z', sensors, receivedAt: 0 })).toBe(
      'unknown_sensor',
    );
    expect(reasonOf(21.5)).toBe('unknown_sensor');
    expect(reasonOf(Number.NaN, { source: TOPIC, sensors, receivedAt: 0 })).toBe('invalid_value');
    expect(reasonOf(Number.POSITIVE_INFINITY, { source: TOPIC, sensors, receivedAt: 0 })).toBe(
      'invalid_value',
    );
  });

  it('names every refusal', () => {
    const cases: [unknown, DecodeRejection][] = [
      [null, 'not_an_object'],
      [[good], 'not_an_object'],
      ['78.5', 'not_an_object'],
      [true, 'not_an_object'],
      [{ ...good, value: undefined }, 'invalid_value'],
      [(({ value: _v, ...rest }) => rest)(good), 'missing_field'],
      [(({ timestamp: _t, ...rest }) => rest)(good), 'missing_field'],
      [(({ sensor_id: _s, ...rest }) => rest)(good), 'missing_field'],
      [(({ unit: _u, ...rest }) => rest)(good), 'missing_field'],
      [(({ source: _s, ...rest }) => rest)(good), 'missing_field'],
      [{ ...good, value: '78.5' }, 'invalid_value'],
      [{ ...good, value: Number.NaN }, 'invalid_value'],
      [{ ...good, value: Number.NEGATIVE_INFINITY }, 'invalid_value'],
      [{ ...good, value: null }, 'invalid_value'],
      [{ ...good, timestamp: '2024-01-15T10:30:45' }, 'invalid_timestamp'],
      [{ ...good, timestamp: '2024-13-45T10:30:45Z' }, 'invalid_timestamp'],
      [{ ...good, timestamp: 1705314645123 }, 'invalid_timestamp'],
      [{ ...good, quality: 'great' }, 'invalid_quality'],
      [{ ...good, source: '' }, 'invalid_field'],
      [{ ...good, unit: 5 }, 'invalid_field'],
      [{ ...good, seq: -1 }, 'invalid_field'],
      [{ ...good, seq: 1.5 }, 'invalid_field'],
    ];
    for (const [input, reason] of cases) expect([input, reasonOf(input)]).toEqual([input, reason]);
    expect(reasonOf({ ...good, sensor_id: 'TEMP-404' }, { sensors, receivedAt: 0 })).toBe('unknown_sensor');
    const r = decodeReading({ ...good, value: 'abc' }, { receivedAt: 0 });
    expect(!r.ok && r.detail).toBe('value must be a finite number, got "abc"');
  });

  it('parses timestamps exactly as Date.parse does (property)', () => {
    const stamp = fc.oneof(
      // The common form, with 0 to 3 fraction digits.
      fc
        .tuple(
          fc.date({
            min: new Date('0100-01-01T00:00:00Z'),
            max: new Date('9999-12-31T23:59:59Z'),
            noInvalidDate: true,
          }),
          fc.nat(3),
        )
        .map(([d, keep]) => {
          const iso = d.toISOString();
          return keep === 3 ? iso : `${iso.slice(0, keep === 0 ? 19 : 20 + keep)}Z`;
        }),
      // Anything the pattern takes: odd days, hours, offsets, long fractions, no seconds.
      fc
        .tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 99 }),
          fc.integer({ min: 0, max: 99 }),
          fc.integer({ min: 0, max: 99 }),
          fc.integer({ min: 0, max: 99 }),
          fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
          fc.option(fc.stringMatching(/^\d{1,7}$/), { nil: undefined }),
          fc.constantFrom('Z', '+01:00', '-0530', '+00:00'),
        )
        .map(([y, mo, d, h, mi, s, f, z]) => {
          const p = (v: number, w = 2) => String(v).padStart(w, '0');
          const seconds = s === undefined ? '' : `:${p(s)}${f === undefined ? '' : `.${f}`}`;
          return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}${seconds}${z}`;
        }),
    );
    fc.assert(
      fc.property(stamp, (timestamp) => {
        const r = decodeReading({ ...good, timestamp }, { receivedAt: 0 });
        const expected = Date.parse(timestamp);
        if (Number.isFinite(expected)) expect(r.ok && r.reading.time).toBe(expected);
        else expect(!r.ok && r.reason).toBe('invalid_timestamp');
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws and never makes a reading with a non-finite value or time (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({
            timestamp: fc.oneof(
              fc.string(),
              fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            ),
            value: fc.oneof(fc.double(), fc.string(), fc.constant(null)),
            sensor_id: fc.oneof(fc.constant('TEMP-001'), fc.string()),
            unit: fc.oneof(fc.constant('degC'), fc.string(), fc.integer()),
            quality: fc.oneof(fc.constantFrom(...QUALITIES), fc.string()),
            seq: fc.oneof(fc.integer(), fc.double(), fc.constant(undefined)),
          }),
        ),
        fc.boolean(),
        (input, withRegistry) => {
          const r = decodeReading(input, {
            source: TOPIC,
            receivedAt: RECEIVED,
            ...(withRegistry ? { sensors } : {}),
          });
          if (r.ok) {
            expect(Number.isFinite(r.reading.value)).toBe(true);
            expect(Number.isFinite(r.reading.time)).toBe(true);
          } else expect(r.detail.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('decodePayload', () => {
  it('decodes text and bytes; says malformed_json with where', () => {
    const text = JSON.stringify(good);
    expect(decodePayload(text, { receivedAt: 0 }).ok).toBe(true);
    expect(decodePayload(new TextEncoder().encode(text), { receivedAt: 0 }).ok).toBe(true);
    expect(decodePayload('21.5', { source: TOPIC, sensors, receivedAt: 0 }).ok).toBe(true);
    const bad = decodePayload('{"value": 1,', { receivedAt: 0 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toBe('malformed_json');
    expect(!bad.ok && bad.detail).toMatch(/in "\{\\"value\\": 1,"/);
  });

  it('never throws on any text or bytes (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array(), fc.json()), (payload) => {
        const r = decodePayload(payload, { source: TOPIC, sensors, receivedAt: RECEIVED });
        if (r.ok) expect(Number.isFinite(r.reading.value)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('reads back what a sink writes: messageBody then decodePayload is the identity on the schema fields (property)', () => {
    const arbReading = fc
      .record({
        time: fc.integer({ min: 0, max: 4e12 }),
        value: fc.double({ noNaN: true, noDefaultInfinity: true }),
        quality: fc.constantFrom(...QUALITIES),
        sensor_id: fc.string({ minLength: 1 }),
        unit: fc.string({ minLength: 1 }),
        source: fc.string({ minLength: 1 }),
        seq: fc.option(fc.nat(), { nil: undefined }),
      })
      .map((r): Reading => ({ ...r, timestamp: new Date(r.time).toISOString(), receivedAt: 0 }));
    fc.assert(
      fc.property(arbReading, (reading) => {
        const body = JSON.stringify(messageBody({ kind: 'reading', reading }));
        const r = decodePayload(body, { receivedAt: 0 });
        expect(r.ok).toBe(true);
        const back = r.ok ? r.reading : undefined;
        // JSON writes -0 as 0.
        expect(back).toEqual({
          ...reading,
          value: reading.value === 0 ? 0 : reading.value,
          seq: reading.seq,
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('makeEvent', () => {
  it('makes events in the design document schema with fresh ids', () => {
    const time = Date.parse('2024-01-15T10:30:45.123Z');
    const a = makeEvent('sensor_stale', 'warning', 'TEMP-001', time, { silentForMs: 61_000 });
    const b = makeEvent('sensor_stale', 'warning', 'TEMP-001', time);
    expect(a).toMatchObject({
      timestamp: '2024-01-15T10:30:45.123Z',
      event_type: 'sensor_stale',
      severity: 'warning',
      source: 'TEMP-001',
      details: { silentForMs: 61_000 },
    });
    expect(a.event_id).toMatch(/^evt_20240115_\d{6}$/);
    expect(b.event_id).not.toBe(a.event_id);
    expect(b.details).toEqual({});
  });
});
