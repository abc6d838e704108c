/**
 * twinkit adapters: the twin service on Fastify (`serveTwin`): the REST API of a live twin under
 * `/v1`, its WebSocket feed, Prometheus metrics, health checks and a dashboard, behind JWT bearer
 * tokens with roles (`signToken` makes development tokens).
 *
 * @module @twinkit/adapters/http
 */
export type { AuditEntry } from './audit-log';
export { type AuthOptions, ROLES, type Role, type SignTokenOptions, signToken } from './auth';
export { CLOSE, LIVE_CHANNELS, type LiveChannel, type LiveOptions } from './live';
export {
  redactUrl,
  type ServeTwinOptions,
  type ServiceLoggerOptions,
  serveTwin,
  type TelemetryStore,
  type TwinService,
} from './serve-twin';
