export {
  type PostgresSink,
  type PostgresSinkOptions,
  type PostgresSinkStats,
  postgresSink,
  type RetryOptions,
  type Storage,
} from './postgres-sink';
