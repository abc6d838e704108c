import { describe, expect, it } from 'vitest';
import { thrown } from '../../../../test-support/thrown';
import { defineSensors, type SensorSpec } from './sensors';

const topic = (m: string) => `factory/production/line1/machine/telemetry/${m}`;
// The sensor inventory of design document 2.1.
const INVENTORY: SensorSpec[] = [
  {
    id: 'TEMP-001',
    source: topic('temperature'),
    unit: 'degC',
    range: [0, 150],
    samplingHz: 1,
    accuracy: 0.5,
    protocol: 'modbus-rtu',
    description: 'Motor housing',
  },
  {
    id: 'VIB-001',
    source: topic('vibration'),
    unit: 'g',
    range: [0, 10],
    samplingHz: 100,
    accuracy: 0.1,
    protocol: 'ethernet-ip',
  },
  {
    id: 'CUR-001',
    source: topic('current'),
    unit: 'A',
    range: [0, 50],
    samplingHz: 10,
    accuracy: 0.5,
    protocol: 'modbus-tcp',
  },
];

describe('defineSensors', () => {
  it('looks sensors up by id and by topic, in the order defined, frozen', () => {
    const sensors = defineSensors(INVENTORY);
    expect(sensors.size).toBe(3);
    expect(sensors.has('VIB-001')).toBe(true);
    expect(sensors.has('VIB-002')).toBe(false);
    expect(sensors.get('CUR-001').range).toEqual([0, 50]);
    expect(sensors.bySource(topic('temperature'))?.id).toBe('TEMP-001');
    expect(sensors.bySource(topic('pressure'))).toBeUndefined();
    expect(sensors.list().map((s) => s.id)).toEqual(['TEMP-001', 'VIB-001', 'CUR-001']);
    expect([...sensors].map((s) => s.id)).toEqual(['TEMP-001', 'VIB-001', 'CUR-001']);
    expect(Object.isFrozen(sensors.get('TEMP-001'))).toBe(true);
    expect(Object.isFrozen(sensors.get('TEMP-001').range)).toBe(true);
    // The registry keeps its own copy of a range: changing the spec afterwards changes nothing.
    const spec = { id: 'X', source: topic('x'), unit: 'A', range: [0, 1] as [number, number] };
    const own = defineSensors([spec]);
    spec.range[1] = 99;
    expect(own.get('X').range).toEqual([0, 1]);
  });

  it('names the known ids when an id is unknown', () => {
    expect(thrown(() => defineSensors(INVENTORY).get('TEMP-002')).message).toBe(
      'SensorRegistry.get(id): no sensor "TEMP-002"; known: TEMP-001, VIB-001, CUR-001.',
    );
    expect(thrown(() => defineSensors([]).get('A')).message).toMatch(/known: none\./);
  });

  it('refuses malformed specs with the API, the rule and the value', () => {
    const base = { id: 'A', source: topic('a'), unit: 'A' };
    const cases: [unknown, RegExp][] = [
      ['not an array', /specs must be an array of sensor specs, got "not an array"/],
      [[null], /sensor \[0\]: must be an object, got null/],
      [[{ ...base, rnage: [0, 1] }], /sensor \[0\]: unknown option 'rnage'.*Did you mean 'range'\?/],
      [[{ ...base, id: '' }], /id must be a non-empty string, got ""/],
      [[{ ...base, source: 5 }], /source must be a non-empty string, got 5/],
      [[{ source: topic('a'), unit: 'A' }], /id must be a non-empty string, got undefined/],
      [
        [{ ...base, range: [1, 1] }],
        /\(A\): range must be \[low, high\] with finite low < high, got \[1,1\]/,
      ],
      [[{ ...base, range: [0, Number.NaN] }], /range must be \[low, high\]/],
      [[{ ...base, range: [0] }], /range must be \[low, high\]/],
      [[{ ...base, samplingHz: 0 }], /samplingHz must be a finite number > 0, got 0/],
      [[{ ...base, accuracy: -0.5 }], /accuracy must be a finite number > 0, got -0.5/],
    ];
    for (const [specs, message] of cases) {
      const error = thrown(() => defineSensors(specs as SensorSpec[]));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toMatch(/^defineSensors\(specs\)/);
      expect(error.message).toMatch(message);
    }
  });

  it('refuses duplicate ids and shared topics', () => {
    const a = { id: 'A', source: topic('a'), unit: 'A' };
    const twice = thrown(() => defineSensors([a, { ...a, source: topic('b') }]));
    expect(twice.code).toBe('DUPLICATE');
    expect(twice.message).toMatch(/sensor id "A" is defined twice; ids must be unique/);
    const shared = thrown(() => defineSensors([a, { ...a, id: 'B' }]));
    expect(shared.message).toMatch(
      /sensors "A" and "B" share the topic ".*telemetry\/a"; give each sensor its own topic/,
    );
  });
});
