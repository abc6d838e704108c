import { invalidArgument } from '@twinkit/core/internal';
import { DEFAULT_TOPIC_POLICY, qosFor, type TopicPolicyRule, topicMatches } from '../topics';

/**
 * Checks an MQTT topic filter: non-empty, `+` only as a whole level, `#` only as the whole last
 * level; throws a clear error otherwise.
 */
export function checkFilter(api: string, filter: unknown): string {
  if (typeof filter !== 'string' || filter.length === 0)
    throw invalidArgument(api, 'a topic filter must be a non-empty string', filter);
  const levels = filter.split('/');
  levels.forEach((level, i) => {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1))
      throw invalidArgument(
        api,
        "'#' must be a whole level and the last one in a topic filter",
        filter,
        "Example: 'factory/#'.",
      );
    if (level.includes('+') && level !== '+')
      throw invalidArgument(
        api,
        "'+' must be a whole level in a topic filter",
        filter,
        "Example: 'factory/+/telemetry/+'.",
      );
  });
  if (filter.includes('\u0000')) throw invalidArgument(api, 'a topic filter may not hold U+0000', filter);
  return filter;
}

/**
 * Gives the QoS to subscribe to a topic filter at. A filter without wildcards is a topic name:
 * its QoS is {@link qosFor}'s. A filter with wildcards is read as text: the policy patterns are
 * matched against it with `+` and `#` taken as ordinary levels, so `factory/+/+/+/telemetry/+`
 * gets the telemetry QoS (0) and `+/+/line1/status/#` the status QoS (1); a filter the policy does
 * not name (`factory/#`, `#`) gets the fallback QoS 1. Subscribing higher than a message was
 * published never raises its QoS (the broker delivers at the lower of the two), so the fallback
 * costs nothing for QoS 0 telemetry and keeps QoS 1 status messages at least once.
 *
 * @example
 * ```ts
 * qosForFilter('factory/production/line1/machine/telemetry/temperature'); // 0
 * qosForFilter('factory/+/+/+/telemetry/+');                              // 0
 * qosForFilter('factory/#');                                              // 1
 * ```
 */
export function qosForFilter(filter: string, overrides: readonly TopicPolicyRule[] = []): 0 | 1 | 2 {
  const api = 'qosForFilter(filter, overrides)';
  checkFilter(api, filter);
  if (!filter.includes('+') && !filter.includes('#')) return qosFor(filter, overrides).qos;
  // qosFor validates the overrides; call it on a harmless name for that, then match the filter text.
  qosFor('x', overrides);
  for (const rule of [...overrides, ...DEFAULT_TOPIC_POLICY]) {
    if (topicMatches(rule.pattern, filter)) return rule.qos;
  }
  return 1;
}
