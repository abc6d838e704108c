/**
 * The Redis connection options of the BullMQ executor and worker (not exported from the package).
 */
import { invalidArgument } from '@twinkit/core/internal';

/** A Redis URL (`redis://user:pass@host:6379/0`) or `{ host, port, username?, password?, db? }`. */
export type RedisConnection =
  | string
  | {
      readonly host?: string;
      readonly port?: number;
      readonly username?: string;
      readonly password?: string;
      readonly db?: number;
    };

/** Plain ioredis options (what BullMQ's `connection` takes besides a client). */
export interface PlainConnection {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: object;
}

/** The connection as BullMQ takes it, and a name for messages (never the password). */
export function resolveConnection(
  api: string,
  connection: RedisConnection | undefined,
): { options: PlainConnection; name: string } {
  if (typeof connection === 'string') {
    let url: URL;
    try {
      url = new URL(connection);
    } catch {
      throw invalidArgument(api, 'connection must be a Redis URL such as redis://127.0.0.1:6379', connection);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
      throw invalidArgument(api, 'connection must be a redis:// or rediss:// URL', connection);
    const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
    if (!Number.isInteger(db) || db < 0)
      throw invalidArgument(
        api,
        'the database of a Redis URL must be a number (redis://host:6379/0)',
        connection,
      );
    return {
      options: {
        host: url.hostname,
        port: url.port === '' ? 6379 : Number(url.port),
        ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
        ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
        db,
        ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      },
      name: `redis://${url.hostname}:${url.port === '' ? 6379 : url.port}`,
    };
  }
  if (connection === null || typeof connection !== 'object')
    throw invalidArgument(
      api,
      'connection must be a Redis URL or { host, port }',
      connection,
      "Pass connection: 'redis://127.0.0.1:6379'.",
    );
  const host = connection.host ?? '127.0.0.1';
  const port = connection.port ?? 6379;
  return { options: { ...connection, host, port }, name: `redis://${host}:${port}` };
}

/** Checks a queue name: BullMQ keys are `bull:<name>:...`, so no colon. */
export function checkQueueName(api: string, queue: unknown): string {
  if (typeof queue !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(queue))
    throw invalidArgument(
      api,
      'queue must be a name of letters, digits, _, . or -',
      queue,
      "Pass queue: 'twinkit'.",
    );
  return queue;
}
