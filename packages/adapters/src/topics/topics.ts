import { invalidArgument } from '@twinkit/core/internal';

/** What a topic carries, after the design document's topic tree (section 5.2.2). */
export type TopicKind = 'telemetry' | 'status' | 'command' | 'simulation';

/**
 * A topic of the tree `root/area/asset.../kind/metric`, e.g.
 * `factory/production/line1/machine/telemetry/temperature` is root `factory`, area `production`,
 * asset `line1/machine`, kind `telemetry`, metric `temperature`. Simulation topics
 * (`factory/simulation/state/sync`) have area `simulation`, no asset, kind `simulation` and the rest
 * as metric (`state/sync`).
 */
export interface TopicParts {
  /** The first level (`factory`). */
  readonly root: string;
  /** The second level (`production`, `maintenance`, `simulation`). */
  readonly area: string;
  /** The levels between the area and the kind (`line1/machine`); empty for simulation topics. */
  readonly asset: string;
  /** What the topic carries. */
  readonly kind: TopicKind;
  /** The level(s) after the kind (`temperature`, `state`, `state/sync`); empty when the kind is last. */
  readonly metric: string;
}

const KINDS = new Set(['telemetry', 'status', 'command']);

/**
 * Splits a topic of the design document's tree into its parts.
 *
 * @example
 * ```ts
 * parseTopic('factory/production/line1/machine/telemetry/temperature');
 * // { root: 'factory', area: 'production', asset: 'line1/machine', kind: 'telemetry', metric: 'temperature' }
 * ```
 */
export function parseTopic(topic: string): TopicParts {
  const api = 'parseTopic(topic)';
  if (typeof topic !== 'string' || topic.length === 0)
    throw invalidArgument(api, 'topic must be a non-empty string', topic);
  if (topic.includes('+') || topic.includes('#'))
    throw invalidArgument(
      api,
      'a topic name may not hold the wildcards + or #',
      topic,
      'Parse a topic, not a filter.',
    );
  const levels = topic.split('/');
  if (levels.some((l) => l.length === 0))
    throw invalidArgument(api, 'topic levels may not be empty (no leading, trailing or double /)', topic);
  const [root, area] = levels;
  if (root === undefined || area === undefined)
    throw invalidArgument(api, 'a topic has at least root/area/...', topic);
  if (area === 'simulation') {
    if (levels.length < 3)
      throw invalidArgument(api, 'a simulation topic has a metric after root/simulation', topic);
    return { root, area, asset: '', kind: 'simulation', metric: levels.slice(2).join('/') };
  }
  // The kind is the last or second-to-last level, after at least one asset level.
  for (const at of [levels.length - 2, levels.length - 1]) {
    const kind = levels[at];
    if (at >= 3 && kind !== undefined && KINDS.has(kind)) {
      return {
        root,
        area,
        asset: levels.slice(2, at).join('/'),
        kind: kind as TopicKind,
        metric: levels.slice(at + 1).join('/'),
      };
    }
  }
  throw invalidArgument(
    api,
    'a topic is root/area/asset.../(telemetry|status|command)/metric or root/simulation/...',
    topic,
    "Example: 'factory/production/line1/machine/telemetry/temperature'.",
  );
}

/**
 * Joins topic parts into a topic; the inverse of {@link parseTopic}.
 *
 * @example
 * ```ts
 * formatTopic({ root: 'factory', area: 'production', asset: 'line1/machine', kind: 'status', metric: 'state' });
 * // 'factory/production/line1/machine/status/state'
 * ```
 */
export function formatTopic(parts: TopicParts): string {
  const { root, area, asset, kind, metric } = parts;
  const levels =
    kind === 'simulation'
      ? [root, 'simulation', metric]
      : [root, area, asset, kind, ...(metric ? [metric] : [])];
  const topic = levels.join('/');
  if (kind === 'simulation' && area !== 'simulation')
    throw invalidArgument('formatTopic(parts)', "a simulation topic has area 'simulation'", parts);
  // Round-trip through the parser, so a malformed part is refused with the parser's message.
  parseTopic(topic);
  return topic;
}

/** The delivery policy of one topic: MQTT QoS and whether the broker retains the last message. */
export interface TopicPolicy {
  /** MQTT quality of service: 0 at most once, 1 at least once, 2 exactly once. */
  readonly qos: 0 | 1 | 2;
  /** Whether the broker keeps the last message for new subscribers. */
  readonly retain: boolean;
}

/**
 * One rule of a topic policy: a pattern in MQTT filter syntax, where `+` is one level and `#` is
 * any number of levels (zero included) and, unlike in a subscription, may stand anywhere.
 */
export interface TopicPolicyRule extends TopicPolicy {
  /** The pattern, e.g. `'#/telemetry/#'`. */
  readonly pattern: string;
}

/**
 * The design document's QoS strategy (section 5.2.3), first match wins: `simulation/*` QoS 1,
 * `status/state` QoS 1 retained, telemetry QoS 0, other status QoS 1, commands QoS 2.
 * Topics that match no rule get QoS 1, not retained.
 */
export const DEFAULT_TOPIC_POLICY: readonly TopicPolicyRule[] = Object.freeze([
  { pattern: '+/simulation/#', qos: 1, retain: false },
  { pattern: '#/status/state', qos: 1, retain: true },
  { pattern: '#/telemetry/#', qos: 0, retain: false },
  { pattern: '#/status/#', qos: 1, retain: false },
  { pattern: '#/command/#', qos: 2, retain: false },
]);

const FALLBACK: TopicPolicy = Object.freeze({ qos: 1, retain: false });

/**
 * Tells whether `topic` matches `pattern` (`+` one level, `#` zero or more levels, anywhere).
 *
 * @example
 * ```ts
 * topicMatches('#/telemetry/+', 'factory/production/line1/machine/telemetry/current'); // true
 * ```
 */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('/');
  const t = topic.split('/');
  // Memoised match of p[i..] against t[j..]; patterns are short, so this stays tiny.
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = i * 1024 + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === p.length) result = j === t.length;
    else if (p[i] === '#') result = match(i + 1, j) || (j < t.length && match(i, j + 1));
    else result = j < t.length && (p[i] === '+' || p[i] === t[j]) && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

function checkRule(api: string, rule: TopicPolicyRule, i: number): void {
  if (typeof rule?.pattern !== 'string' || rule.pattern.length === 0)
    throw invalidArgument(api, `rules[${i}].pattern must be a non-empty string`, rule?.pattern);
  if (rule.qos !== 0 && rule.qos !== 1 && rule.qos !== 2)
    throw invalidArgument(api, `rules[${i}].qos must be 0, 1 or 2`, rule.qos);
  if (typeof rule.retain !== 'boolean')
    throw invalidArgument(api, `rules[${i}].retain must be true or false`, rule.retain);
}

/**
 * Gives the QoS and retain policy of a topic: the first matching rule of `overrides`, then of
 * {@link DEFAULT_TOPIC_POLICY}; QoS 1, not retained, when none matches.
 *
 * @example
 * ```ts
 * qosFor('factory/production/line1/machine/telemetry/temperature'); // { qos: 0, retain: false }
 * qosFor('factory/production/line1/machine/status/state');          // { qos: 1, retain: true }
 * qosFor('factory/production/line1/queue/telemetry/length', [{ pattern: '#/queue/telemetry/+', qos: 1, retain: false }]);
 * ```
 */
export function qosFor(topic: string, overrides: readonly TopicPolicyRule[] = []): TopicPolicy {
  const api = 'qosFor(topic, overrides)';
  if (typeof topic !== 'string' || topic.length === 0)
    throw invalidArgument(api, 'topic must be a non-empty string', topic);
  overrides.forEach((rule, i) => {
    checkRule(api, rule, i);
  });
  for (const rule of [...overrides, ...DEFAULT_TOPIC_POLICY]) {
    if (topicMatches(rule.pattern, topic)) return { qos: rule.qos, retain: rule.retain };
  }
  return FALLBACK;
}
