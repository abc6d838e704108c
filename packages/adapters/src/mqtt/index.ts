// MQTT source and sink on MQTT.js: see mqtt-source.ts and mqtt-sink.ts.
export {};
