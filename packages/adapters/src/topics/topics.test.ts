import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOPIC_POLICY,
  formatTopic,
  parseTopic,
  qosFor,
  type TopicParts,
  topicMatches,
} from './topics';

describe('parseTopic', () => {
  it('splits every topic of the design document tree (5.2.2)', () => {
    const cases: [string, TopicParts][] = [
      [
        'factory/production/line1/machine/telemetry/temperature',
        {
          root: 'factory',
          area: 'production',
          asset: 'line1/machine',
          kind: 'telemetry',
          metric: 'temperature',
        },
      ],
      [
        'factory/production/line1/machine/status/state',
        { root: 'factory', area: 'production', asset: 'line1/machine', kind: 'status', metric: 'state' },
      ],
      [
        'factory/production/line1/machine/command/maintenance',
        {
          root: 'factory',
          area: 'production',
          asset: 'line1/machine',
          kind: 'command',
          metric: 'maintenance',
        },
      ],
      [
        'factory/production/line1/queue/telemetry/length',
        { root: 'factory', area: 'production', asset: 'line1/queue', kind: 'telemetry', metric: 'length' },
      ],
      [
        'factory/maintenance/technicians/tech1/status/location',
        {
          root: 'factory',
          area: 'maintenance',
          asset: 'technicians/tech1',
          kind: 'status',
          metric: 'location',
        },
      ],
      [
        'factory/maintenance/technicians/dispatch/command',
        { root: 'factory', area: 'maintenance', asset: 'technicians/dispatch', kind: 'command', metric: '' },
      ],
      [
        'factory/simulation/state/sync',
        { root: 'factory', area: 'simulation', asset: '', kind: 'simulation', metric: 'state/sync' },
      ],
      [
        'factory/simulation/optimization/recommendations',
        {
          root: 'factory',
          area: 'simulation',
          asset: '',
          kind: 'simulation',
          metric: 'optimization/recommendations',
        },
      ],
    ];
    for (const [topic, parts] of cases) {
      expect(parseTopic(topic)).toEqual(parts);
      expect(formatTopic(parts)).toBe(topic);
    }
  });

  it('refuses what is not a topic of the tree, saying why', () => {
    expect(() => parseTopic('factory/+/line1/telemetry/x')).toThrow(/may not hold the wildcards/);
    expect(() => parseTopic('factory//line1/machine/telemetry/x')).toThrow(/levels may not be empty/);
    expect(() => parseTopic('/factory/production/a/telemetry/x')).toThrow(/levels may not be empty/);
    expect(() => parseTopic('factory')).toThrow(/at least root\/area/);
    expect(() => parseTopic('factory/simulation')).toThrow(/simulation topic has a metric/);
    expect(() => parseTopic('factory/production/telemetry/x')).toThrow(/telemetry\|status\|command/);
    expect(() => parseTopic('factory/production/line1/machine/readings/x')).toThrow(/Example: 'factory/);
    expect(() => parseTopic('')).toThrow(/non-empty string/);
    expect(() =>
      formatTopic({ root: 'factory', area: 'production', asset: '', kind: 'simulation', metric: 'x' }),
    ).toThrow(/simulation topic has area 'simulation'/);
    expect(() =>
      formatTopic({ root: 'factory', area: 'production', asset: '', kind: 'telemetry', metric: 'x' }),
    ).toThrow(/levels may not be empty/);
  });

  // Levels that cannot be mistaken for a kind or the simulation area.
  const level = fc
    .stringMatching(/^[a-z0-9_-]{1,8}$/)
    .filter((l) => !['telemetry', 'status', 'command', 'simulation'].includes(l));
  const levels = (min: number, max: number) =>
    fc.array(level, { minLength: min, maxLength: max }).map((l) => l.join('/'));
  const parts: fc.Arbitrary<TopicParts> = fc.oneof(
    fc.record({
      root: level,
      area: level,
      asset: levels(1, 4),
      kind: fc.constantFrom('telemetry' as const, 'status' as const, 'command' as const),
      metric: fc.oneof(level, fc.constant('')),
    }),
    fc.record({
      root: level,
      area: fc.constant('simulation'),
      asset: fc.constant(''),
      kind: fc.constant('simulation' as const),
      metric: levels(1, 3),
    }),
  );

  it('formatTopic and parseTopic are inverse (property)', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const topic = formatTopic(p);
        expect(parseTopic(topic)).toEqual(p);
        expect(formatTopic(parseTopic(topic))).toBe(topic);
      }),
      { numRuns: 500 },
    );
  });
});

describe('qosFor', () => {
  it('follows the design document QoS table (5.2.3), first match wins', () => {
    const table: [string, number, boolean][] = [
      ['factory/production/line1/machine/telemetry/temperature', 0, false],
      ['factory/production/line1/machine/telemetry/vibration', 0, false],
      ['factory/production/line1/queue/telemetry/length', 0, false], // `*/telemetry/*` is QoS 0 ...
      ['factory/production/line1/machine/status/health', 1, false],
      ['factory/production/line1/machine/status/state', 1, true], // retained
      ['factory/maintenance/technicians/tech1/status/location', 1, false],
      ['factory/production/line1/machine/command/maintenance', 2, false],
      ['factory/maintenance/technicians/dispatch/command', 2, false], // `#` matches zero levels
      ['factory/simulation/state/sync', 1, false],
      ['factory/simulation/predictions/scenarios', 1, false],
      ['factory/other/thing', 1, false], // no rule: QoS 1, not retained
    ];
    for (const [topic, qos, retain] of table)
      expect([topic, qosFor(topic)]).toEqual([topic, { qos, retain }]);
    // ... the tree's example gives the queue length QoS 1: an override says so.
    expect(
      qosFor('factory/production/line1/queue/telemetry/length', [
        { pattern: '#/queue/telemetry/+', qos: 1, retain: false },
      ]),
    ).toEqual({ qos: 1, retain: false });
    expect(DEFAULT_TOPIC_POLICY).toHaveLength(5);
    expect(Object.isFrozen(DEFAULT_TOPIC_POLICY)).toBe(true);
  });

  it('refuses malformed overrides', () => {
    const t = 'factory/a/b/telemetry/c';
    expect(() => qosFor(t, [{ pattern: '', qos: 0, retain: false }])).toThrow(
      /rules\[0\]\.pattern must be a non-empty string/,
    );
    expect(() => qosFor(t, [{ pattern: '#', qos: 3 as never, retain: false }])).toThrow(
      /rules\[0\]\.qos must be 0, 1 or 2, got 3/,
    );
    expect(() => qosFor(t, [{ pattern: '#', qos: 1, retain: 'yes' as never }])).toThrow(
      /retain must be true or false/,
    );
    expect(() => qosFor('')).toThrow(/topic must be a non-empty string/);
  });
});

describe('topicMatches', () => {
  it('matches + as one level and # as any number of levels, anywhere', () => {
    expect(topicMatches('#/telemetry/+', 'factory/production/line1/machine/telemetry/current')).toBe(true);
    expect(topicMatches('#/telemetry/+', 'factory/production/line1/machine/telemetry/current/x')).toBe(false);
    expect(topicMatches('#/telemetry/#', 'a/telemetry')).toBe(true);
    expect(topicMatches('+/simulation/#', 'factory/simulation/state/sync')).toBe(true);
    expect(topicMatches('+/simulation/#', 'factory/production/simulation/x')).toBe(false);
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/c')).toBe(false);
    expect(topicMatches('#', 'a/b/c')).toBe(true);
  });

  it('a topic matches itself, #, and itself with any level made + (property)', () => {
    const topic = fc.array(fc.stringMatching(/^[a-z]{1,4}$/), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(topic, fc.nat(), (levels, k) => {
        const t = levels.join('/');
        expect(topicMatches(t, t)).toBe(true);
        expect(topicMatches('#', t)).toBe(true);
        const plus = levels.map((l, i) => (i === k % levels.length ? '+' : l)).join('/');
        expect(topicMatches(plus, t)).toBe(true);
        expect(topicMatches(`${t}/+`, t)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
