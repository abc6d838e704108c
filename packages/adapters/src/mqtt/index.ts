/**
 * twinkit adapters: MQTT source and sink on MQTT.js, and an embedded aedes broker.
 *
 * @module @twinkit/adapters/mqtt
 */
export type { BackoffOptions } from '../backoff/backoff';
export type { MqttConnectionOptions, MqttTlsOptions } from './connection';
export {
  type EmbeddedBroker,
  type EmbeddedBrokerOptions,
  startEmbeddedBroker,
} from './embedded-broker';
export { qosForFilter } from './filters';
export { type MqttSink, type MqttSinkOptions, type MqttSinkStats, mqttSink } from './mqtt-sink';
export { type MqttSource, type MqttSourceOptions, type MqttSourceStats, mqttSource } from './mqtt-source';
