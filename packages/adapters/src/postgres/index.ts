// PostgreSQL sink on pg: see postgres-sink.ts.
export {};
