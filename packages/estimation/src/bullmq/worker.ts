/**
 * The worker side: a BullMQ Worker whose jobs are blocks of replications, run on worker threads of
 * this process (so the thread that talks to Redis and renews the jobs' locks is never blocked by a
 * model), each thread loading a model's module once and keeping it.
 */
import { availableParallelism } from 'node:os';
import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { type Job, Worker } from 'bullmq';
import { Piscina } from 'piscina';
import type { ReplicationRecord } from '../replications/replication-task';
import { workerSetup } from '../replications/run-replications';
import { checkQueueName, type RedisConnection, resolveConnection } from './connection';
import type { ReplicationJobData } from './executor';

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  /** Redis: a URL (`redis://127.0.0.1:6379`) or `{ host, port, username, password, db }`. */
  readonly connection: RedisConnection;
  /** The queue to take jobs from. */
  readonly queue: string;
  /** Jobs run at once, each on its own thread (default: one per core). */
  readonly concurrency?: number;
  /**
   * How long a job's lock lasts without renewal, ms (default 30,000): a worker that dies holding a
   * job gives it back (BullMQ's stalled-job recovery) within about this time plus `stalledIntervalMs`.
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for stalled jobs, ms (default 30,000). */
  readonly stalledIntervalMs?: number;
  /** How long to wait for Redis at start before failing, ms (default 5000). */
  readonly connectTimeoutMs?: number;
}

/** A running queue worker. */
export interface QueueWorker {
  /** Jobs completed and failed so far. */
  stats(): { completed: number; failed: number };
  /** Finishes the jobs in hand, then stops (the threads and the connection). */
  close(): Promise<void>;
}

const OPTION_KEYS = [
  'connection',
  'queue',
  'concurrency',
  'lockDurationMs',
  'stalledIntervalMs',
  'connectTimeoutMs',
];

/**
 * Starts a worker for the replications a {@link bullmqExecutor} sends to `queue`: what the
 * `twinkit-worker` command runs. A job names its model by module and export; the module must be
 * importable here (the same file path, or an installed package).
 *
 * @example
 * ```ts fragment
 * const worker = await startQueueWorker({ connection: 'redis://127.0.0.1:6379', queue: 'twinkit' });
 * process.on('SIGTERM', () => void worker.close());
 * ```
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const api = 'startQueueWorker(options)';
  if (options === null || typeof options !== 'object')
    throw invalidArgument(api, 'options must be { connection, queue, concurrency? }', options);
  rejectUnknownKeys(api, options, OPTION_KEYS, "{ connection: 'redis://127.0.0.1:6379', queue: 'twinkit' }");
  const { options: connection, name: where } = resolveConnection(api, options.connection);
  const queue = checkQueueName(api, options.queue);
  const concurrency = options.concurrency ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw invalidArgument(api, 'concurrency must be an integer >= 1', concurrency);
  const lockDuration = options.lockDurationMs ?? 30_000;
  const stalledInterval = options.stalledIntervalMs ?? 30_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  for (const [key, value] of [
    ['lockDurationMs', lockDuration],
    ['stalledIntervalMs', stalledInterval],
    ['connectTimeoutMs', connectTimeoutMs],
  ] as const)
    if (!Number.isInteger(value) || value < 100)
      throw invalidArgument(api, `${key} must be an integer >= 100`, value);

  // One pool per way of loading modules (plain JavaScript, or TypeScript through tsx).
  const pools = new Map<string, { piscina: Piscina; tsxApi: string | undefined }>();
  const poolFor = (module: string) => {
    const setup = workerSetup(module);
    const key = setup.execArgv.join(' ');
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = {
        piscina: new Piscina({
          filename: setup.filename,
          execArgv: setup.execArgv,
          minThreads: 1,
          maxThreads: concurrency,
          idleTimeout: 60_000,
        }),
        tsxApi: setup.tsxApi,
      };
      pools.set(key, pool);
    }
    return pool;
  };
  const counts = { completed: 0, failed: 0 };
  // ioredis reconnects by itself while the worker runs (a Redis restart is ridden out); once the
  // worker stops, it stops trying, so stopping never waits for a Redis that is away.
  let stopping = false;
  const reconnecting = {
    ...connection,
    retryStrategy: (times: number) => (stopping ? null : Math.min(100 * 2 ** Math.min(times, 5), 2000)),
  };
  const worker = new Worker<ReplicationJobData, ReplicationRecord[]>(
    queue,
    async (job: Job<ReplicationJobData>) => {
      const task = job.data?.task;
      if (task === undefined || typeof task.module !== 'string')
        throw new TwinkitError(
          `twinkit-worker: job ${job.id} on queue '${queue}' is not a block of replications.`,
          {
            code: 'INVALID_ARGUMENT',
          },
        );
      const pool = poolFor(task.module);
      return pool.piscina.run({ ...task, tsxApi: pool.tsxApi });
    },
    {
      connection: reconnecting,
      concurrency,
      lockDuration,
      stalledInterval,
      maxStalledCount: 3,
      autorun: false,
    },
  );
  worker.on('completed', () => {
    counts.completed += 1;
  });
  worker.on('failed', () => {
    counts.failed += 1;
  });
  let lastError: string | undefined;
  worker.on('error', (error) => {
    lastError = error.message;
  });
  void worker.run().catch((error: Error) => {
    lastError = error.message;
  });
  const ready = await Promise.race([
    worker.waitUntilReady().then(
      () => true,
      (error: Error) => {
        lastError = error.message;
        return false;
      },
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), connectTimeoutMs)),
  ]);
  if (!ready) {
    stopping = true;
    await Promise.race([worker.disconnect().catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
    throw new TwinkitError(
      `${api}: cannot reach Redis at ${where} within ${connectTimeoutMs} ms (${lastError ?? 'no answer'}). Start Redis, or pass the right --redis URL.`,
      { code: 'IO' },
    );
  }
  return {
    stats: () => ({ ...counts }),
    async close() {
      await worker.close();
      stopping = true;
      await Promise.allSettled([...pools.values()].map((p) => p.piscina.destroy()));
    },
  };
}
