/**
 * twinkit adapters: PostgreSQL sink on pg.
 *
 * @module @twinkit/adapters/postgres
 */
export {
  type PostgresSink,
  type PostgresSinkOptions,
  type PostgresSinkStats,
  postgresSink,
  type RetryOptions,
  type Storage,
} from './postgres-sink';
