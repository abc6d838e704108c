import { describe, expect, it } from 'vitest';
import { makeEvent, type Reading } from '../reading';
import { messageBody, SinkCounters } from './sink';

const reading: Reading = {
  timestamp: '2024-01-15T10:30:45.123Z',
  time: Date.parse('2024-01-15T10:30:45.123Z'),
  source: 'factory/production/line1/machine/telemetry/temperature',
  value: 78.5,
  unit: 'degC',
  quality: 'good',
  sensor_id: 'TEMP-001',
  receivedAt: 1,
};

describe('SinkCounters', () => {
  it('counts by reason and adds up: written = delivered + dropped + failed + buffered', () => {
    const c = new SinkCounters();
    c.written(10);
    c.delivered(6);
    c.dropped('buffer_full', 2);
    c.dropped('closed', 0); // nothing: no key
    c.failed();
    const s = c.snapshot(1, 120);
    expect(s).toEqual({
      written: 10,
      delivered: 6,
      dropped: { buffer_full: 2 },
      failed: 1,
      buffered: 1,
      bufferedBytes: 120,
    });
    expect(s.written).toBe(s.delivered + 2 + s.failed + s.buffered);
  });
});

describe('messageBody', () => {
  it('writes a reading in the telemetry schema, without the ingest-only fields; seq only when known', () => {
    expect(messageBody({ kind: 'reading', reading })).toEqual({
      timestamp: reading.timestamp,
      source: reading.source,
      value: 78.5,
      unit: 'degC',
      quality: 'good',
      sensor_id: 'TEMP-001',
    });
    expect(Object.keys(messageBody({ kind: 'reading', reading }) as object)).not.toContain('seq');
    expect(messageBody({ kind: 'reading', reading: { ...reading, seq: 4 } })).toMatchObject({ seq: 4 });
  });

  it('writes an event as it is, and a payload as it is', () => {
    const event = makeEvent('machine_failure', 'critical', 'machine1', 0, { component: 'spindle_bearing' });
    expect(messageBody({ kind: 'event', event })).toBe(event);
    const payload = { queue: 3 };
    expect(messageBody({ kind: 'state', topic: 'factory/simulation/state/sync', payload })).toBe(payload);
    expect(
      messageBody({ kind: 'prediction', topic: 'factory/simulation/predictions/scenarios', payload: [1, 2] }),
    ).toEqual([1, 2]);
  });
});
